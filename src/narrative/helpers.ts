import type Handlebars from "handlebars";
import type { Locale } from "../i18n/locale.ts";
import type { HedgeStyle } from "../i18n/wording.ts";
import type { Indicators } from "../indicators/types.ts";
import { NarrativeError } from "./errors.ts";
import { basisOf, conditionAt, resolvePath } from "./parts.ts";
import type { Fact } from "./types.ts";

/*
 * The helpers of the narrative templates: every number, name and comparison in the text comes through one of them,
 * names the indicator it shows (a path into indicators.json) and records a fact {indicator, exact value, words used};
 * every {{#if}} records the branch it took. Why one file: they share the state of the section being written
 * (`HelperState`) and the fact recorder, one function per kind of helper.
 */

/** Marks around what a helper wrote (the digit guard of write-narrative.ts looks outside them). */
export const OPEN = "\uE000";
export const CLOSE = "\uE001";

/** What the helpers of one narrative share: the section and template being written, and the facts so far. */
export interface HelperState {
  hb: typeof Handlebars;
  ind: Indicators;
  locale: Locale;
  facts: Fact[];
  /** the section being written */
  section: string;
  /** the template source being rendered (the conditions are read from it) */
  source: string;
  /** what the templates see: the indicators and the view */
  context: Record<string, unknown>;
}

type Opts = { hash: Record<string, unknown>; fn?: (ctx: unknown) => string };

/** Handlebars' own truthiness (an empty list is false, as in {{#if}}). */
const truthy = (v: unknown) => (Array.isArray(v) ? v.length > 0 : Boolean(v));

/** Every helper, registered on the state's Handlebars. */
export function registerHelpers(s: HelperState): void {
  const b = basics(s);
  s.hb.registerHelper({ ...numberHelpers(s, b), ...wordHelpers(s, b), ...logicHelpers(b) });
  locateErrors(s.hb);
  strictConditions(s);
}

/** What the helpers have in common: reading an indicator, recording a fact, naming a code, a hidden value's words. */
function basics(s: HelperState) {
  const { ind, locale, hb, facts } = s;
  const w = locale.numbers;
  const get = (path: string, helper: string): unknown => {
    const v = resolvePath(ind, path);
    if (v === undefined || (v === null && ind.disclosure === undefined))
      throw new NarrativeError(`helper \`${helper}\`: no indicator \`${path}\` in indicators.json`);
    return v;
  };
  const mark = (text: string) => `${OPEN}${text}${CLOSE}`;
  const record = (indicator: string, kind: string, value: unknown, words: string, cap?: boolean) => {
    const text = cap ? words.charAt(0).toLocaleUpperCase(locale.intl) + words.slice(1) : words;
    facts.push({ section: s.section, indicator, kind, value, words: text });
    return new hb.SafeString(mark(hb.escapeExpression(text)));
  };
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
      case "area":
        return locale.t(`area_${ind.meta.areaLevel}`, { name: L.area[locale.lang] });
      case "local": {
        // an area a municipality lies in ("the province of Limburg", "het arrondissement Tongeren")
        const r = ind.local?.rates.find((x) => x.nis === code);
        if (!r) return code;
        return r.level === "region"
          ? r.label[locale.lang]
          : locale.t(`area_${r.level}`, { name: r.label[locale.lang] });
      }
      case "place": {
        // a municipality or an area a merger changed (composition.ts)
        const n = ind.composition?.names[code];
        if (!n) return code;
        return n.level === "municipality" || n.level === "region"
          ? n[locale.lang]
          : locale.t(`area_${n.level}`, { name: n[locale.lang] });
      }
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

  /** a value hidden by disclosure control (null in the published indicators): said as such, never as a number */
  const hiddenWords = (path: string, o: Opts) => {
    const primary = ind.disclosure?.primary.includes(path);
    const words = locale.t(primary ? "suppressed_primary_text" : "suppressed_secondary_text", {
      min: String(ind.disclosure?.minCount ?? 5),
    });
    return record(path, "suppressed", null, words, o.hash.cap === true);
  };
  const isHidden = (path: string) => ind.disclosure !== undefined && resolvePath(ind, path) === null;

  return { get, mark, record, num, nameOf, hiddenWords, isHidden, w };
}
type Basics = ReturnType<typeof basics>;

/** The numbers: counts (hedged), shares, rates, years, periods, dates, fractions. */
function numberHelpers(s: HelperState, b: Basics) {
  const { locale } = s;
  const { get, record, num, hiddenWords, isHidden, w } = b;
  return {
    num(path: string, o: Opts) {
      if (isHidden(path)) return hiddenWords(path, o);
      const v = num(get(path, "num"), path, "num");
      const style = (o.hash.hedge as HedgeStyle | "none" | undefined) ?? "directional";
      const signed = o.hash.signed === true;
      const words = style === "none" ? w.integer(v, signed) : w.hedged(v, style, signed).text;
      return record(path, `count:${style}`, v, words, o.hash.cap === true);
    },
    pct(path: string, o: Opts) {
      if (isHidden(path)) return hiddenWords(path, o);
      const v = num(get(path, "pct"), path, "pct");
      return record(path, "share", v, w.percent(v));
    },
    rate(path: string, o: Opts) {
      if (isHidden(path)) return hiddenWords(path, o);
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
      // jan1=true: "1 January 2022, 2023, 2024 and 2025"
      const words = locale.list(ys.map(String));
      return record(path, "years", ys, o.hash.jan1 === true ? `${locale.t("jan1")} ${words}` : words);
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
  };
}

/** The words: names of codes, comparisons, components, ranks, labels and defined terms. */
function wordHelpers(s: HelperState, b: Basics) {
  const { ind, locale, hb } = s;
  const { get, mark, record, num, nameOf, isHidden } = b;
  return {
    names(path: string, o: Opts) {
      const v = get(path, "names");
      const all = Array.isArray(v) ? v : [v];
      const from = (o.hash.from as number | undefined) ?? 0;
      const codes = all
        .slice(from, (o.hash.to as number | undefined) ?? all.length)
        .map((x) => (typeof x === "object" && x ? String((x as { code: string }).code) : String(x)));
      const kind = (o.hash.kind as string | undefined) ?? "municipality";
      let labels = codes.map((c) => nameOf(c, kind));
      // "the Flemish Region", "de provincie Antwerpen": the article goes with the area's level
      if (o.hash.article === true && kind === "area")
        labels = labels.map((l) => `${locale.t(`article_${ind.meta.areaLevel}`)} ${l}`);
      if (o.hash.article === true && kind === "region")
        labels = labels.map((l) => `${locale.t("article_region")} ${l}`);
      if (o.hash.article === true && kind === "place")
        labels = labels.map((l, k) => {
          const level = ind.composition?.names[codes[k]!]?.level ?? "municipality";
          const article = locale.t(`article_${level}`);
          return article ? `${article} ${l}` : l;
        });
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
      if (isHidden(a) || isHidden(b))
        throw new NarrativeError(
          `helper \`cmp\`: \`${isHidden(a) ? a : b}\` is hidden by disclosure control: guard the sentence with {{#if}}`,
        );
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
    ordinal(path: string) {
      const v = num(get(path, "ordinal"), path, "ordinal");
      const en = (n: number) => {
        const t = n % 100;
        return `${n}${t >= 11 && t <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th")}`;
      };
      // Dutch: 1ste, 8ste and from 20 on "ste"; else "de" (2de, 3de … 19de)
      const nl = (n: number) => `${n}${n === 1 || n === 8 || (n >= 20 && n < 100) ? "ste" : "de"}`;
      return record(path, "rank", v, locale.lang === "nl" ? nl(v) : en(v));
    },
    per1000(o: Opts) {
      const words = locale.t("per_1000");
      const text = o.hash.cap === true ? words.charAt(0).toUpperCase() + words.slice(1) : words;
      return new hb.SafeString(mark(hb.escapeExpression(text)));
    },
    t(key: string) {
      return locale.t(key);
    },
    term(id: string, o: Opts) {
      const inner = o.fn ? o.fn(this) : locale.t(`term_${id}`);
      return new hb.SafeString(`<a class="term" href="#def-${hb.escapeExpression(id)}">${inner}</a>`);
    },
  };
}

/** The conditions' helpers. */
function logicHelpers(b: Basics) {
  const { isHidden } = b;
  return {
    /** whether a figure is published (false: disclosure control hides it; the sentence has its own wording then) */
    shown: (path: string) => !isHidden(path),
    eq: (a: unknown, b: unknown) => a === b,
    gt: (a: number, b: number) => a > b,
    lt: (a: number, b: number) => a < b,
    and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
    or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
    not: (a: unknown) => !a,
    len: (a: unknown[]) => a.length,
    concat: (...args: unknown[]) => args.slice(0, -1).join(""),
  };
}

/** A helper's error is located at the helper's place in the template. */
function locateErrors(hb: typeof Handlebars) {
  for (const [name, fn] of Object.entries(hb.helpers)) {
    if (["if", "unless", "each", "with", "lookup", "log", "blockHelperMissing", "helperMissing"].includes(name))
      continue;
    hb.registerHelper(name, function (this: unknown, ...args: unknown[]) {
      try {
        return (fn as (...a: unknown[]) => unknown).apply(this, args);
      } catch (e) {
        if (e instanceof NarrativeError && !e.loc) e.loc = (args.at(-1) as { loc?: NarrativeError["loc"] })?.loc;
        throw e;
      }
    });
  }
}

/** {{#if}} and {{#unless}} that refuse an undefined condition and record the branch taken as a fact. */
function strictConditions(s: HelperState) {
  const { hb, facts } = s;
  // Handlebars' strict mode checks {{value}} lookups but not the conditions of {{#if}}/{{#unless}}: a misspelled
  // condition would silently pick the other wording. These versions refuse an undefined condition.
  const builtinIf = hb.helpers.if as Handlebars.HelperDelegate;
  const builtinUnless = hb.helpers.unless as Handlebars.HelperDelegate;
  // Every wording decision is a fact: the condition (as written in the template), the branch taken, and the values
  // of the indicators it was decided on, so the parity check sees a Dutch and an English edition that part ways.
  // Conditions on a loop's position (@first, @last, @index) only punctuate lists and are not recorded.
  const strictCondition = (name: string, builtin: Handlebars.HelperDelegate) =>
    function (
      this: unknown,
      cond: unknown,
      options: Handlebars.HelperOptions & { loc?: { start: { line: number; column: number } } },
    ) {
      if (cond === undefined) {
        const e = new NarrativeError(`{{#${name}}}: the condition is undefined (a misspelled name?)`);
        e.loc = options.loc;
        throw e;
      }
      const expr = conditionAt(s.source, options.loc);
      if (expr && !expr.includes("@")) {
        const value = truthy(cond);
        const indicator = `#${name} ${expr}`;
        if (!facts.some((f) => f.section === s.section && f.indicator === indicator && f.value === value))
          facts.push({
            section: s.section,
            indicator,
            kind: "branch",
            value,
            words: "",
            basis: basisOf(expr, s.context),
          });
      }
      return builtin.call(this, cond, options);
    };
  hb.registerHelper("if", strictCondition("if", builtinIf));
  hb.registerHelper("unless", strictCondition("unless", builtinUnless));
}
