import type { Problem } from "./problem.ts";

/**
 * The catalogue of user-facing problems: each rule id with its wording and its hint, in one place, so a message is
 * worded once and the README's table of failures can be checked against it. Stages raise problems by rule id and
 * parameters (`problem("unknown-area", where, { nis })`), never by writing the sentence themselves.
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
  "bad-boundaries": {
    message: (p) => `not a boundary file: ${p.why}`,
    hint: () => "give a shapefile (.shp with its .dbf and .prj), GeoJSON or TopoJSON",
  },
} satisfies Record<string, Rule>;

export type RuleId = keyof typeof MESSAGES;

/** A located problem worded by the catalogue. */
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
    rule,
    message: r.message(params),
    ...(hint ? { hint } : {}),
    severity: r.severity ?? "error",
  };
}
