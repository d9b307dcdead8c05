import Handlebars from "handlebars";
import type { SectionId } from "../config/schema.ts";
import type { Locale } from "../i18n/locale.ts";
import type { HedgeStyle } from "../i18n/wording.ts";
import type { Indicators } from "../indicators/types.ts";

/**
 * Narrative: one Handlebars template per section and language (templates/narrative/<lang>/<id>.hbs). Every number,
 * name and comparison in the text comes through a helper that names the indicator it shows (a path into
 * indicators.json) and records a fact: {indicator, exact value, words used}. A template that prints a digit any
 * other way fails the build, so no number can reach a reader without a trace.
 *
 * A template file has parts, each opened by a line `=== name`: `headline`, `body` (blank-line separated
 * paragraphs; lines starting with "- " form a list) and optionally `caption` and `alt` (the figure's caption and its
 * description for readers who cannot see it).
 */
export interface Fact {
  section: string;
  indicator: string;
  kind: string;
  value: unknown;
  words: string;
}
export interface NarrativePart {
  headline: string;
  body: string;
  caption: string;
  alt: string;
  note: string;
}
export interface Narrative {
  sections: Record<string, NarrativePart>;
  facts: Fact[];
}
export interface NarrativeInput {
  indicators: Indicators;
  locale: Locale;
  /** template source per section id (and `definitions`) */
  templates: Record<string, { file: string; source: string }>;
  /** editorial notes per section id (Handlebars too: they may use the helpers; digits allowed) */
  notes: Partial<Record<SectionId, string>>;
  sectionIds: readonly string[];
}

export class NarrativeError extends Error {}

const OPEN = "\uE000";
const CLOSE = "\uE001";

/** Resolves `a.b.0.c` in an object; undefined when any step is missing. */
export function resolvePath(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const k of path.split(".")) {
    if (v === null || v === undefined) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

export function writeNarrative(input: NarrativeInput): Narrative {
  const { indicators: ind, locale } = input;
  const facts: Fact[] = [];
  let section = "";
  const hb = Handlebars.create();
  const w = locale.numbers;

  const get = (path: string, helper: string): unknown => {
    const v = resolvePath(ind, path);
    if (v === undefined) throw new NarrativeError(`helper \`${helper}\`: no indicator \`${path}\` in indicators.json`);
    return v;
  };
  const mark = (text: string) => `${OPEN}${text}${CLOSE}`;
  const record = (indicator: string, kind: string, value: unknown, words: string, cap?: boolean) => {
    const text = cap ? words.charAt(0).toLocaleUpperCase(locale.intl) + words.slice(1) : words;
    facts.push({ section, indicator, kind, value, words: text });
    return new hb.SafeString(mark(hb.escapeExpression(text)));
  };
  type Opts = { hash: Record<string, unknown>; fn?: (ctx: unknown) => string };
  const num = (v: unknown, path: string, helper: string): number => {
    if (typeof v !== "number" || !Number.isFinite(v))
      throw new NarrativeError(`helper \`${helper}\`: \`${path}\` is not a number`);
    return v;
  };

  const nameOf = (code: string, kind: string): string => {
    const L = ind.labels;
    switch (kind) {
      case "municipality":
        return ind.municipalities.rows.find((m) => m.nis === code)?.name ?? code;
      case "nationality-adj": {
        const l = L.nationalities[code];
        return (locale.lang === "nl" ? l?.adjective_nl : l?.adjective_en) ?? l?.[locale.lang] ?? code;
      }
      case "nationality":
        return L.nationalities[code]?.[locale.lang] ?? code;
      case "region":
        return L.regions[code]?.[locale.lang] ?? code;
      case "eu":
        return L.eu[code]?.[locale.lang] ?? code;
      case "group":
        return locale.t(`group_${code}`);
      case "group-people":
        return locale.t(`group-people_${code}`);
      default:
        throw new NarrativeError(`helper \`names\`: unknown kind \`${kind}\``);
    }
  };

  hb.registerHelper({
    num(path: string, o: Opts) {
      const v = num(get(path, "num"), path, "num");
      const style = (o.hash.hedge as HedgeStyle | "none" | undefined) ?? "directional";
      const signed = o.hash.signed === true;
      const words = style === "none" ? w.integer(v, signed) : w.hedged(v, style, signed).text;
      return record(path, `count:${style}`, v, words, o.hash.cap === true);
    },
    pct(path: string) {
      const v = num(get(path, "pct"), path, "pct");
      return record(path, "share", v, w.percent(v));
    },
    rate(path: string, o: Opts) {
      const v = num(get(path, "rate"), path, "rate");
      return record(path, "rate", v, w.decimal(v, o.hash.signed === true));
    },
    year(path: string) {
      const v = num(get(path, "year"), path, "year");
      return record(path, "year", v, String(v));
    },
    years(path: string, o: Opts) {
      const arr = get(path, "years") as unknown[];
      const field = (o.hash.field as string | undefined) ?? "year";
      const ys = arr.map((x) => (typeof x === "number" ? x : ((x as Record<string, number>)[field] as number)));
      return record(path, "years", ys, locale.list(ys.map(String)));
    },
    period(fromPath: string, toPath: string) {
      const a = num(get(fromPath, "period"), fromPath, "period");
      const b = num(get(toPath, "period"), toPath, "period");
      return record(`${fromPath}..${toPath}`, "period", [a, b], `${a}–${b}`);
    },
    jan1(path: string) {
      const v = num(get(path, "jan1"), path, "jan1");
      return record(path, "year", v, locale.date(`${v}-01-01`));
    },
    decade(path: string) {
      const v = num(get(path, "decade"), path, "decade");
      const d = Math.floor(v / 10) * 10;
      return record(path, "decade", d, locale.lang === "en" ? `the ${d}s` : `de jaren ${d}`);
    },
    frac(path: string, o: Opts) {
      const v = num(get(path, "frac"), path, "frac");
      const f = w.fraction(v);
      return record(path, "fraction", v, f ? f.text : w.percent(v), o.hash.cap === true);
    },
    tenths(path: string, o: Opts) {
      const v = num(get(path, "tenths"), path, "tenths");
      return record(path, "tenths", v, w.outOfTen(v).text, o.hash.cap === true);
    },
    names(path: string, o: Opts) {
      const v = get(path, "names");
      const all = Array.isArray(v) ? v : [v];
      const from = (o.hash.from as number | undefined) ?? 0;
      const codes = all
        .slice(from, (o.hash.to as number | undefined) ?? all.length)
        .map((x) => (typeof x === "object" && x ? String((x as { code: string }).code) : String(x)));
      const kind = (o.hash.kind as string | undefined) ?? "municipality";
      let labels = codes.map((c) => nameOf(c, kind));
      if (o.hash.sort === "alpha") labels = [...labels].sort((a, b) => a.localeCompare(b, locale.intl));
      return record(
        from || o.hash.to ? `${path}[${from}:${o.hash.to ?? ""}]` : path,
        `names:${kind}`,
        codes,
        locale.list(labels),
        o.hash.cap === true,
      );
    },
    cmp(a: string, b: string) {
      const x = num(get(a, "cmp"), a, "cmp");
      const y = num(get(b, "cmp"), b, "cmp");
      const words = { en: ["lower", "higher", "the same"], nl: ["lager", "hoger", "gelijk"] }[locale.lang];
      const word = x < y ? words[0]! : x > y ? words[1]! : words[2]!;
      return record(`${a} vs ${b}`, "comparison", Math.sign(x - y), word);
    },
    component(path: string, o: Opts) {
      const c = get(path, "component") as { code: string };
      const dir = path.includes("emigration") ? "emigration" : "immigration";
      return record(
        `${path}.code`,
        "names:component",
        c.code,
        locale.t(`component_${dir}_${c.code}`),
        o.hash.cap === true,
      );
    },
    per1000() {
      return new hb.SafeString(mark(hb.escapeExpression(locale.t("per_1000"))));
    },
    t(key: string) {
      return locale.t(key);
    },
    term(id: string, o: Opts) {
      const inner = o.fn ? o.fn(this) : locale.t(`term_${id}`);
      return new hb.SafeString(`<a class="term" href="#def-${hb.escapeExpression(id)}">${inner}</a>`);
    },
    eq: (a: unknown, b: unknown) => a === b,
    gt: (a: number, b: number) => a > b,
    lt: (a: number, b: number) => a < b,
    and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
    or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
    not: (a: unknown) => !a,
    len: (a: unknown[]) => a.length,
    concat: (...args: unknown[]) => args.slice(0, -1).join(""),
  });

  // Handlebars' strict mode checks {{value}} lookups but not the conditions of {{#if}}/{{#unless}}: a misspelled
  // condition would silently pick the other wording. These versions refuse an undefined condition.
  const builtinIf = hb.helpers.if as Handlebars.HelperDelegate;
  const builtinUnless = hb.helpers.unless as Handlebars.HelperDelegate;
  const strictCondition = (name: string, builtin: Handlebars.HelperDelegate) =>
    function (this: unknown, cond: unknown, options: Handlebars.HelperOptions & { loc?: { start: { line: number } } }) {
      if (cond === undefined)
        throw new NarrativeError(
          `{{#${name}}} on line ${options.loc?.start.line ?? "?"}: the condition is undefined (a misspelled name?)`,
        );
      return builtin.call(this, cond, options);
    };
  hb.registerHelper("if", strictCondition("if", builtinIf));
  hb.registerHelper("unless", strictCondition("unless", builtinUnless));
  const context = { ...ind, view: viewOf(ind) };
  const render = (file: string, part: string, source: string, guard: boolean): string => {
    let out: string;
    try {
      out = hb.compile(source, { strict: true, noEscape: false })(context);
    } catch (e) {
      throw new NarrativeError(`${file} (${part}): ${(e as Error).message}`);
    }
    if (guard) {
      const bare = out.replace(new RegExp(`${OPEN}[^${CLOSE}]*${CLOSE}`, "g"), "").replace(/<[^>]*>/g, "");
      // a digit that starts a number; digits inside a name such as "EU27" are part of a word, not a figure
      const m = /(?<![\p{L}\d])[+\-−]?\d[\d.,]*/u.exec(bare);
      if (m) {
        const around = bare
          .slice(Math.max(0, m.index - 25), m.index + m[0].length + 25)
          .replace(/\s+/g, " ")
          .trim();
        throw new NarrativeError(
          `${file} (${part}): the number \`${m[0]}\` in "…${around}…" does not come from a helper; write it as {{num "…"}}, {{year "…"}}, {{pct "…"}} … so it is traced to an indicator`,
        );
      }
    }
    return out.replaceAll(OPEN, "").replaceAll(CLOSE, "");
  };

  const sections: Record<string, NarrativePart> = {};
  for (const id of [...input.sectionIds, "definitions"]) {
    const tpl = input.templates[id];
    if (!tpl) throw new NarrativeError(`missing narrative template for section \`${id}\` (${locale.lang})`);
    section = id;
    const parts = splitParts(tpl.source, tpl.file);
    const note = input.notes[id as SectionId];
    sections[id] = {
      headline: render(tpl.file, "headline", parts.headline ?? "", true).trim(),
      body: paragraphs(render(tpl.file, "body", parts.body ?? "", true)),
      caption: render(tpl.file, "caption", parts.caption ?? "", true).trim(),
      alt: render(tpl.file, "alt", parts.alt ?? "", true)
        .replace(/\s+/g, " ")
        .trim(),
      note: note ? paragraphs(render(`notes.${locale.lang}.${id} in config.yml`, "note", note, false)) : "",
    };
  }
  return { sections, facts };
}

function splitParts(source: string, file: string): Record<string, string> {
  const parts: Record<string, string> = {};
  let current: string | undefined;
  for (const line of source.split("\n")) {
    const m = /^=== (\w+)\s*$/.exec(line);
    if (m) {
      current = m[1]!;
      parts[current] = "";
    } else if (current) parts[current] += `${line}\n`;
    else if (line.trim() && !line.startsWith("{{!"))
      throw new NarrativeError(`${file}: text before the first \`=== part\` line`);
  }
  if (!parts.headline) throw new NarrativeError(`${file}: no \`=== headline\` part`);
  return parts;
}

/** Blank-line separated paragraphs → <p>; a block of "- " lines → <ul>. The text is already HTML-escaped. */
function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((b) => b.trim())
    .filter(Boolean)
    .map((b) => {
      const lines = b.split("\n").map((l) => l.trim());
      if (lines.every((l) => l.startsWith("- ")))
        return `<ul>${lines.map((l) => `<li>${l.slice(2)}</li>`).join("")}</ul>`;
      return `<p>${lines.join(" ")}</p>`;
    })
    .join("\n");
}

/** Derived lookups for the templates: paths into the indicators, sorted as the text needs them. */
function viewOf(ind: Indicators) {
  const sortedPaths = <T>(arr: T[], base: string, key: (x: T) => number) =>
    arr
      .map((x, i) => ({ x, path: `${base}.${i}` }))
      .sort((a, b) => key(b.x) - key(a.x))
      .map((e) => e.path);
  const groupIndex = (g: string) => ind.nationalityGroups.rows.findIndex((r) => r.group === g);
  const euIndex = (geo: string) => ind.eu.rows.findIndex((r) => r.geo === geo);
  const latestRegions = ind.regions.series.filter((r) => r.year === ind.meta.year);
  const share = ind.municipalities.positive / ind.municipalities.rows.length;
  return {
    immigrationBySize: sortedPaths(ind.components.immigration, "components.immigration", (c) => c.share),
    emigrationBySize: sortedPaths(ind.components.emigration, "components.emigration", (c) => c.share),
    groupsByImmigration: sortedPaths(ind.nationalityGroups.rows, "nationalityGroups.rows", (r) => r.immigrationShare),
    group: {
      BE: `nationalityGroups.rows.${groupIndex("BE")}`,
      EU27: `nationalityGroups.rows.${groupIndex("EU27")}`,
      nonEU: `nationalityGroups.rows.${groupIndex("non-EU")}`,
    },
    largestGroup: `nationalityGroups.rows.${groupIndex(ind.nationalityGroups.largestImmigrationGroup)}`,
    negativeGroups: ind.nationalityGroups.rows
      .map((r, i) => ({ r, i }))
      .filter((e) => e.r.balance < 0)
      .map((e) => `nationalityGroups.rows.${e.i}`),
    positiveGroups: ind.nationalityGroups.rows
      .map((r, i) => ({ r, i }))
      .filter((e) => e.r.balance >= 0)
      .map((e) => `nationalityGroups.rows.${e.i}`),
    municipalShare: share === 1 ? "all" : share >= 0.9 ? "almost-all" : share > 0.5 ? "most" : "minority",
    eu: {
      region: `eu.rows.${euIndex(ind.eu.regionGeo)}`,
      eu27: `eu.rows.${euIndex("EU27_2020")}`,
      belgium: `eu.rows.${euIndex("BE")}`,
      brussels: `eu.rows.${euIndex("BE1")}`,
    },
    euRegionBelowEu27:
      (ind.eu.rows[euIndex(ind.eu.regionGeo)]?.ratePer1000 ?? 0) <
      (ind.eu.rows[euIndex("EU27_2020")]?.ratePer1000 ?? 0),
    euYearLags: ind.eu.year !== null && ind.eu.year < ind.meta.year,
    regionsLatest: latestRegions.map((r) => `regions.series.${ind.regions.series.indexOf(r)}`),
    allRegionsPositiveSinceStart: Object.values(ind.regions.positiveSince).every((y) => y === ind.regions.first),
    balancePositive: ind.headline.balance > 0,
    immVsPrevious: ind.headline.previous.map((_, i) => `headline.previous.${i}`),
    sameDirection:
      (ind.headline.immigrationLowerThanAllPrevious && ind.headline.balanceLowerThanAllPrevious) ||
      (ind.headline.immigrationHigherThanAllPrevious && ind.headline.balanceHigherThanAllPrevious),
    emigrationMenMajority:
      ind.topNationalities.totalsBySex.emigration.men > ind.topNationalities.totalsBySex.emigration.women,
  };
}
