import { didYouMean, type Problem } from "./problem.ts";

/**
 * The catalogue of user-facing problems: each rule id with its wording and its hint, in one place, so a message is
 * worded once and the README's table of failures can be checked against it. Stages raise problems by rule id and
 * parameters (`problem("unknown-area", where, { nis })`), never by writing the sentence themselves.
 *
 * Why one file: a catalogue is read (and reviewed for tone) as a whole; its entries are grouped by where they arise.
 */
type Params = Record<string, unknown>;
interface Rule {
  message: (p: Params) => string;
  hint?: (p: Params) => string;
  severity?: "error" | "warning";
}
const list = (xs: unknown) => (Array.isArray(xs) ? xs.join(", ") : String(xs));

export const MESSAGES = {
  // editions
  "unknown-area": {
    message: (p) => `no area with NIS code \`${p.nis}\` in the code list`,
    hint: (p) => `use one of: ${list(p.known)}`,
  },
  "municipal-edition": {
    message: (p) =>
      `${p.nis} (${p.name}) is a municipality: its edition needs templates of its own (not yet available)`,
    hint: () => "choose a region, a province or an arrondissement (data/codes/areas.csv)",
  },
  "empty-area": {
    message: (p) => `the ${p.level} ${p.nis} has no municipalities in data/codes/municipalities.csv`,
    hint: () => "an edition needs the flows of the area's municipalities; choose a region, province or arrondissement",
  },
  "no-edition": {
    message: (p) => `no \`editions."${p.year}"\` entry: publication date set to today (${p.today})`,
    hint: (p) => `add editions."${p.year}".published and nextUpdate to config.yml`,
    severity: "warning",
  },
  // templates and narrative
  "note-claim/false": {
    message: (p) => `${p.path}: the claim \`${p.claim}\` does not hold: ${p.left} is not ${p.op} ${p.right}`,
    hint: () =>
      "the data contradict the note this claim supports: reword the note (and its claim), or correct the data",
  },
  "note-claim/invalid": {
    message: (p) => `${p.path}: the claim \`${p.claim}\` cannot be checked: ${p.detail}`,
    hint: () =>
      "write it as `series.2024.immigration < series.2022.immigration` (paths into indicators.json; `series.<year>`, `regions.<nis>.<year>`)",
  },
  "note-claim/unchecked": {
    message: (p) => `the ${p.section} note names ${p.named}, but no claim under ${p.key}.claims.${p.section} checks it`,
    hint: (p) =>
      `add a claim the note relies on, e.g. \`series.YEAR.immigration < series.YEAR.immigration\` under ${p.key}.claims.${p.section} (README § Editorial notes), so \`check\` can tell when the data no longer support it`,
    severity: "warning",
  },
  "missing-template": {
    message: () => "file not found",
    hint: () =>
      "every language needs the same template files (templates/narrative/<lang>/<section>.hbs, templates/locales/<lang>.yml)",
  },
  "missing-label": {
    message: (p) => `key \`${p.key}\` is in ${p.other}.yml but not here`,
    hint: (p) => `add \`${p.key}:\` with the ${p.lang} text`,
  },
  template: {
    message: (p) => String(p.message),
    hint: (p) => (p.hint ? String(p.hint) : "fix the template; see README § Narrative, wording and facts"),
  },
  "facts-differ": {
    message: (p) => `only in ${p.lang}: ${p.fact}`,
    hint: (p) => `state it in the ${p.other} template too (the editions must state the same facts)`,
  },
  // config
  "missing-config": {
    message: (p) => `cannot read the config file ${p.path}`,
    hint: () => "pass --config PATH or run from the project folder (the one with config.yml)",
  },
  "yaml-syntax": {
    message: (p) => String(p.detail),
    hint: () => "fix the YAML syntax (indentation, quotes, colons)",
  },
  "unknown-key": {
    message: (p) => `unknown key \`${p.key}\`${p.where ? ` in \`${p.where}\`` : ""}`,
    hint: (p) => (p.guess ? `did you mean \`${p.guess}\`?` : `known keys here: ${list(p.known)}`),
  },
  "missing-key": { message: (p) => `\`${p.where}\` is required`, hint: (p) => String(p.hint) },
  "invalid-value": { message: (p) => `\`${p.where}\`: ${p.detail}`, hint: (p) => String(p.hint) },
  "no-mail": {
    message: () => "no `mail:` section",
    hint: () => "add the sender and the subscribers (see README § E-mail)",
  },
  // e-mail
  "bad-address": {
    message: (p) => `\`${p.address}\` is not an e-mail address`,
    hint: () => "write it as name@domain.tld",
  },
  "bad-language": {
    message: (p) => `language \`${p.lang}\``,
    hint: (p) => `use ${list(p.known)}`,
  },
  "duplicate-subscriber": {
    message: (p) => `${p.address} is subscribed twice`,
    hint: () => "keep one entry per address (with its language)",
  },
  "not-built": {
    message: () => "the edition to send has not been built (with its PDF)",
    hint: (p) => `run \`npx bulletin build --year ${p.year}\` first`,
  },
  // boundaries
  "bad-format": {
    message: (p) => `cannot read ${p.ext} files`,
    hint: () => "give a .shp (with .dbf and .prj), a .geojson or a .topojson file",
  },
  empty: { message: () => "no shapes in the file", hint: () => "check that the file holds the municipalities' shapes" },
  "no-code-field": {
    message: (p) => `no field with the NIS code among ${list(p.fields)}`,
    hint: () => "pass --code-field NAME",
  },
  "bad-boundaries": {
    message: (p) => `not a boundary file: ${p.why}`,
    hint: () => "give a shapefile (.shp with its .dbf and .prj), GeoJSON or TopoJSON",
  },
  // reading the tables (data/read-datasets.ts, data/csv.ts, data/flows.ts)
  "missing-file": {
    message: () => "file not found",
    hint: (p) => `create it or set its path under \`data:\` in config.yml (table \`${p.table}\`)`,
  },
  "missing-file/shapefile": {
    message: () => "a shapefile needs its .shp and .dbf side by side",
    hint: () => "copy the .dbf (and .prj) next to the .shp",
  },
  "missing-file/boundaries": {
    message: () => "file not found",
    hint: () => "give the path of a shapefile, GeoJSON or TopoJSON file",
  },
  "missing-file/subscribers": {
    message: () => "file not found",
    hint: () => "fix `mail.subscribersFile` in config.yml (a CSV address,lang,name relative to data.dir)",
  },
  "not-utf8": {
    message: (p) => `not UTF-8: the bytes ${p.bytes} are not a character`,
    hint: () => "saved as Windows-1252 or Latin-1? re-save the file as UTF-8",
  },
  "control-character": {
    message: (p) => `\`${p.column}\` holds a control character (U+${p.code})`,
    hint: () => "remove it: text fields hold printable characters and tabs only",
  },
  "no-data": {
    message: (p) => `no data lines, only ${p.header ? "the header" : "nothing"}`,
    hint: (p) => `the edition needs ${p.needs}`,
  },
  "too-large": {
    message: (p) => `\`${p.column}\` is ${p.value}, above the limit of ${p.limit}`,
    hint: (p) => String(p.why),
  },
  "bad-gzip": {
    message: () => "the file starts like gzip but cannot be decompressed",
    hint: () => "re-create the .gz file (gzip -k FILE)",
  },
  "csv-syntax": { message: (p) => String(p.detail), hint: () => "check the quotes in this line" },
  "csv-syntax/flows": {
    message: () => "quoted value in the flow table",
    hint: () => "flow values are codes and integers: write them without quotes",
  },
  "bad-header/empty": {
    message: () => "the file is empty",
    hint: (p) => `expected a header line: ${list(p.expected).replaceAll(", ", ",")}`,
  },
  "bad-header": {
    message: (p) =>
      [
        Array.isArray(p.missing) && p.missing.length
          ? `missing column(s) ${p.missing.map((c) => `\`${c}\``).join(", ")}`
          : "wrong number of columns",
        ...(Array.isArray(p.unexpected) && p.unexpected.length
          ? [`unexpected ${p.unexpected.map((c) => `\`${c}\``).join(", ")}`]
          : []),
      ].join("; "),
    hint: (p) => {
      // a misspelt column: the unexpected name next to the missing one it is closest to
      const guesses = (Array.isArray(p.unexpected) ? (p.unexpected as string[]) : []).flatMap((u) => {
        const g = didYouMean(u, Array.isArray(p.missing) ? (p.missing as string[]) : []);
        return g ? [`\`${g}\` for \`${u}\``] : [];
      });
      const all = `the header must name these columns (any order): ${list(p.expected).replaceAll(", ", ",")}`;
      return guesses.length ? `did you mean ${guesses.join(", ")}? ${all}` : all;
    },
  },
  "unknown-column": {
    message: (p) => `unknown column \`${p.column}\`${p.guess ? ` (is it \`${p.guess}\` misspelt?)` : ""}`,
    hint: (p) =>
      p.guess
        ? `did you mean \`${p.guess}\`? rename it in the header; the columns are: ${list(p.expected).replaceAll(", ", ",")}`
        : `remove it or rename it; the columns are: ${list(p.expected).replaceAll(", ", ",")}`,
  },
  "column-count": {
    message: (p) => `${p.found} values, the header has ${p.expected}`,
    hint: (p) =>
      p.flows
        ? "every line needs one value per header column"
        : "every line needs one value per header column (quote values that contain a comma)",
  },
  "too-many-problems": {
    message: (p) => `${p.more} more problem(s) not listed`,
    hint: () => "fix the ones above first",
  },
  // a value of the wrong kind in a column (one rule per column type)
  "bad-string": { message: (p) => `\`${p.column}\` is empty`, hint: () => "fill in the value" },
  "not-integer": {
    message: (p) => `\`${p.column}\` is ${p.value === "" ? "empty" : `not a non-negative integer: \`${p.value}\``}`,
    hint: () => "counts are whole numbers ≥ 0, without thousands separators or decimals",
  },
  "negative-count": {
    message: (p) =>
      `\`${p.column}\` is ${p.flows ? `negative: \`${p.value}\`` : `not a non-negative integer: \`${p.value}\``}`,
    hint: () => "counts are whole numbers ≥ 0, without thousands separators or decimals",
  },
  "bad-year": {
    message: (p) => `\`${p.column}\` is ${p.value === "" ? "empty" : `not a year: \`${p.value}\``}`,
    hint: () => "write the year with four digits, e.g. 2024",
  },
  "bad-nis": {
    message: (p) => `\`${p.column}\` is ${p.value === "" ? "empty" : `not a 5-digit NIS code: \`${p.value}\``}`,
    hint: (p) =>
      p.flows
        ? "NIS codes have 5 digits, e.g. 24062"
        : "NIS codes have 5 digits, e.g. 24062 (keep leading zeros: 02000)",
  },
  "bad-flag": {
    message: (p) => `\`${p.column}\` is ${p.value === "" ? "empty" : `not 0 or 1: \`${p.value}\``}`,
    hint: () => "write 1 for yes, 0 for no",
  },
  "bad-number": {
    message: (p) => `\`${p.column}\` is ${p.value === "" ? "empty" : `not a number: \`${p.value}\``}`,
    hint: () => "use a plain number with a decimal point",
  },
  // data tables: keys and code lists (validate/validate-datasets.ts)
  "duplicate-key": {
    message: (p) => `duplicate ${p.key} (${p.values}), first on line ${p.first}`,
    hint: () => "keep one line per key: add the counts together or remove the repeated line",
  },
  "unknown-code/area": {
    message: (p) => `${p.column} \`${p.value}\` of ${p.name} is not in ${p.areas}`,
    hint: (p) => `add it to ${p.areas} or correct the code`,
  },
  "bad-hierarchy": {
    message: (p) =>
      `${p.name} lies in ${p.child} and ${p.parentColumn} ${p.value}, but ${p.child} lies in ${p.parentColumn} ${p.other} on line ${p.first}`,
    hint: (p) =>
      `an ${p.childColumn} lies in one ${p.parentColumn}: correct the ${p.parentColumn} of one of the two lines`,
  },
  "bad-level": {
    message: (p) => `${p.column} \`${p.value}\` of ${p.name} is a ${p.level} in ${p.areas}, not a ${p.column}`,
    hint: (p) => `correct the code, or its level in ${p.areas}`,
  },
  "unknown-code/municipality": {
    message: (p) => `municipality \`${p.nis}\` is not in ${p.municipalities}`,
    hint: (p) =>
      Array.isArray(p.near) && p.near.length
        ? `did you mean ${p.near.join(" or ")}?`
        : "use the 5-digit NIS code of the 2019–2024 geography",
  },
  "unknown-code/component": {
    message: (p) => `component \`${p.component}\` is not a component of ${p.direction}`,
    hint: (p) => `use one of: ${list(p.known)}`,
  },
  "unknown-code/nationality": {
    message: (p) => `nationality \`${p.code}\` is not in ${p.nationalities}`,
    hint: (p) => String(p.suggestion),
  },
  "unknown-code/region": {
    message: (p) => `region \`${p.region}\` is not in ${p.areas}`,
    hint: () => "regions: 02000 Flemish, 03000 Walloon, 04000 Brussels-Capital",
  },
  "unknown-code/population": {
    message: (p) => `\`${p.nis}\` is neither a municipality nor an area`,
    hint: () => "use a NIS code from the code lists",
  },
  "unknown-code/eu-geo": {
    message: (p) => `geo \`${p.geo}\` is not in ${p.euGeo}`,
    hint: (p) => String(p.suggestion),
  },
  "bad-group": {
    message: (p) => `group \`${p.group}\` of ${p.code} is not one of ${list(p.known)}`,
    hint: () =>
      "Belgian nationals: BE; the 26 other EU member states: EU27; everything else (stateless, unknown included): non-EU",
  },
  "bad-direction": {
    message: (p) => `direction \`${p.direction}\` is not immigration or emigration`,
    hint: () => "write immigration or emigration",
  },
  "bad-sex": { message: (p) => `sex \`${p.sex}\` is not M or F`, hint: () => "write M (men) or F (women)" },
  "missing-component": {
    message: (p) => `component \`${p.component}\` of ${p.direction} is missing`,
    hint: (p) => `the bulletin needs the three components of each side: ${list(p.known)}`,
  },
  // data tables: flows against the other tables
  "wrong-year": {
    message: (p) => `year ${p.found} in the flow table of ${p.year}`,
    hint: (p) => `this file holds ${p.year} only; move the line to the file of ${p.found}`,
  },
  "missing-municipality/flows": {
    message: (p) => `no flows for ${p.name} (${p.nis}) in ${p.year}`,
    hint: () => "if it had no international migration that year, ignore this; otherwise add its lines",
    severity: "warning",
  },
  "missing-municipality/population": {
    message: (p) => `no population of ${p.name} (${p.nis}) on 1 January ${p.year}`,
    hint: (p) => `add the line \`${p.year},${p.nis},POPULATION\`: the ${p.period} rates need it`,
  },
  "bad-provenance": {
    message: () => "not a list of imports (JSON)",
    hint: () => "`bulletin data import` writes this file; restore it from version control, or delete it to start again",
  },
  "import/eurostat": {
    message: (p) => `cannot import: ${p.why}`,
    hint: (p) => String(p.hint),
  },
  "import/statbel": {
    message: (p) => `cannot import: ${p.why}`,
    hint: (p) => String(p.hint),
  },
  "unknown-flag": {
    message: (p) => `unknown flag \`${p.flag}\` in ${p.column}`,
    hint: (p) => `Eurostat's flags are ${p.known}; leave the cell empty for none`,
  },
  "invalid-period": {
    message: (p) => `${p.nis} (${p.name}) is valid from ${p.from} to ${p.to}: the period ends before it starts`,
    hint: () => "valid_from is the first year of the code, valid_to its last (either may be empty)",
  },
  "unknown-code/crosswalk": {
    message: (p) => `municipality \`${p.nis}\` of the crosswalk is not in ${p.municipalities}`,
    hint: () => "both codes of a crosswalk line must be in the code list, with the years they are valid",
  },
  "crosswalk-dates": {
    message: (p) =>
      `${p.old} → ${p.neu} since ${p.since}: the old code must end in ${Number(p.since) - 1} (it ends: ${p.to}) and the new one be valid in ${p.since}`,
    hint: () =>
      "set valid_to of the old code to the year before `since`, and valid_from of the new one to `since` or earlier",
  },
  "merged-code": {
    message: (p) => `municipality ${p.nis} no longer existed in ${p.year}`,
    hint: (p) =>
      `${p.nis} was merged into ${p.into} on 1 January ${p.since}: register the ${p.year} figures under ${String(p.into).split(" ")[0]}`,
  },
  "future-code": {
    message: (p) => `municipality ${p.nis} did not exist in ${p.year}`,
    hint: (p) =>
      Array.isArray(p.parts) && p.parts.length
        ? `it exists from 1 January ${p.from}; the ${p.year} figures belong to the municipalities it was formed from: ${p.parts.join(", ")}`
        : `it is valid from ${p.from} to ${p.to} (codes/municipalities.csv): use the code valid in ${p.year}`,
  },
  "geography-too-old": {
    message: (p) =>
      `the ${p.year} edition cannot use the municipalities of ${p.geography}: ${p.count} municipalities were merged on 1 January ${p.since}`,
    hint: (p) =>
      `merged municipalities cannot be split again: set editions."${p.year}".geography to ${p.since} or later (or leave it out)`,
  },
  "missing-region/population": {
    message: (p) => `no population of region ${p.region} on 1 January of ${p.years}`,
    hint: (p) =>
      `add a line \`YEAR,${p.region},POPULATION\` for each of these years: figure 6 shows each region's balance per 1,000 inhabitants (the mean of the populations on 1 January of the year and the next) for every year of the long series`,
  },
  "flows-disagree": {
    message: (p) =>
      `${p.direction} ${p.year} of region ${p.region} is ${p.count} here, but the flows in ${p.flows} add up to ${p.sum}`,
    hint: () => "the two tables must describe the same movements: correct whichever is wrong",
  },
  "missing-region": {
    message: (p) => `no rows for region ${p.region}, the region of the bulletin`,
    hint: () => "add its immigration and emigration per year",
  },
  "missing-year": {
    message: (p) => `no ${p.direction} for ${p.year} in region ${p.region}`,
    hint: (p) =>
      `the long series runs from ${p.first} to ${p.last} without gaps: add the line \`${p.year},${p.region},${p.direction},COUNT,0\``,
  },
  "inconsistent-break": {
    message: (p) => `break_in_series for ${p.year} differs from line ${p.first}`,
    hint: () => "a break in series applies to the whole year: use the same flag on every line of that year",
  },
  "totals-mismatch/population": {
    message: (p) =>
      `population of region ${p.region} on 1 January ${p.year} is ${p.value}, its municipalities add up to ${p.sum}`,
    hint: () => "the region's line must equal the sum of its municipalities",
  },
  "totals-mismatch/belgium": {
    message: (p) => `Belgium's ${p.column} in ${p.year} is ${p.value}, its three regions add up to ${p.sum}`,
    hint: () => "BE must equal BE1 + BE2 + BE3",
  },
  "zero-population": {
    message: (p) => `population of ${p.geo} in ${p.year} is 0`,
    hint: () => "rates per 1,000 need the population",
  },
} satisfies Record<string, Rule>;

export type RuleId = keyof typeof MESSAGES;

/**
 * A located problem worded by the catalogue. A key `rule/variant` is one wording of a rule that has several (an
 * unknown code in each table): the problem carries the rule id before the slash.
 */
export function problem(
  rule: RuleId,
  where: { file: string; line?: number; column?: number },
  params: Params = {},
): Problem {
  const r: Rule = MESSAGES[rule];
  const hint = r.hint?.(params);
  return {
    file: where.file,
    ...(where.line !== undefined ? { line: where.line } : {}),
    ...(where.column !== undefined ? { column: where.column } : {}),
    rule: rule.split("/")[0]!,
    message: r.message(params),
    ...(hint ? { hint } : {}),
    severity: r.severity ?? "error",
  };
}
