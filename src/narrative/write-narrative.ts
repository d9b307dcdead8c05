import Handlebars from "handlebars";

type TemplateSpecification = ReturnType<typeof Handlebars.precompile>;

import { compile as compileHtmlToText } from "html-to-text";
import type { SectionId } from "../core/domain.ts";
import type { Locale } from "../i18n/locale.ts";
import type { HedgeStyle } from "../i18n/wording.ts";
import type { Indicators } from "../indicators/types.ts";
import { NarrativeError } from "./errors.ts";
import { basisOf, conditionAt, paragraphs, resolvePath, splitParts, unclosedBlock } from "./parts.ts";
import { viewOf } from "./view.ts";

/*
 * Why one file: the helpers below share the state of the section being written (its id, the fact recorder, the
 * locale); split into modules they would pass that state around on every call. Template parsing is in parts.ts,
 * the derived view in view.ts.
 */

export { NarrativeError, resolvePath };

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
  /** for a branch: the values of the indicators the condition was decided on */
  basis?: Record<string, unknown>;
}
export interface NarrativePart {
  headline: string;
  body: string;
  caption: string;
  alt: string;
  note: string;
  /** the headline and the figure description as plain text (entities decoded, no markup): e-mail, PDF metadata */
  headlineText: string;
  altText: string;
  captionText: string;
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
  /** the file the notes come from (config.yml), named in their errors */
  notesFile?: string;
  /** whether the municipal figure is a map (boundaries available) or a ranking; the description says which */
  mapShown?: boolean;
}

/** Handlebars' own truthiness (an empty list is false, as in {{#if}}). */
const truthy = (v: unknown) => (Array.isArray(v) ? v.length > 0 : Boolean(v));

/**
 * A template's compiled form, by its source: the same text is compiled once per process (the live preview rebuilds
 * after every edit; only the edited template is compiled again). The spec does not depend on the helpers, which each
 * narrative binds with `hb.template`.
 */
const COMPILED = new Map<string, TemplateSpecification>();
function compiled(source: string): TemplateSpecification {
  let spec = COMPILED.get(source);
  if (!spec) {
    // Handlebars' own compile step, kept as an object instead of made into a function (Handlebars.precompile's code)
    const code = String(Handlebars.precompile(source, { strict: true, noEscape: false }));
    spec = new Function(`return ${code};`)() as TemplateSpecification;
    if (COMPILED.size > 500) COMPILED.clear();
    COMPILED.set(source, spec);
  }
  return spec;
}

const toText = compileHtmlToText({
  wordwrap: false,
  selectors: [
    { selector: "a", options: { ignoreHref: true } },
    { selector: "p", format: "inline" },
  ],
});

const OPEN = "\uE000";
const CLOSE = "\uE001";

export function writeNarrative(input: NarrativeInput): Narrative {
  const { indicators: ind, locale } = input;
  const facts: Fact[] = [];
  let section = "";
  const hb = Handlebars.create();
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

  hb.registerHelper({
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
  });

  // a helper's error is located at the helper's place in the template
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
      const expr = conditionAt(currentSource, options.loc);
      if (expr && !expr.includes("@")) {
        const value = truthy(cond);
        const indicator = `#${name} ${expr}`;
        if (!facts.some((f) => f.section === section && f.indicator === indicator && f.value === value))
          facts.push({ section, indicator, kind: "branch", value, words: "", basis: basisOf(expr, context) });
      }
      return builtin.call(this, cond, options);
    };
  hb.registerHelper("if", strictCondition("if", builtinIf));
  hb.registerHelper("unless", strictCondition("unless", builtinUnless));
  const hasEuComparison = input.sectionIds.includes("eu-comparison");
  const context = { ...ind, view: { ...viewOf(ind), mapShown: input.mapShown ?? true, hasEuComparison } };
  let currentSource = "";
  /** `firstLine`: the line of the template file the part's source starts on */
  const render = (file: string, part: string, source: string, guard: boolean, firstLine = 1): string => {
    let out: string;
    currentSource = source;
    // an editorial note is a string inside config.yml: it is named by its key, not located by line
    const isNote = part.startsWith("editions.");
    const locate = (line: number | undefined, column: number | undefined, message: string, hint?: string) => {
      const text = line && !isNote ? source.split("\n")[line - 1] : undefined;
      const detail = isNote ? `${part}: ${message}` : message;
      return new NarrativeError(`${file} (${part}): ${message}`, {
        file,
        detail,
        ...(line && !isNote ? { line: firstLine + line - 1 } : {}),
        ...(column !== undefined && !isNote ? { column: column + 1 } : {}),
        ...(text !== undefined ? { excerpt: text } : {}),
        ...(hint ? { hint } : {}),
      });
    };
    try {
      out = hb.template(compiled(source))(context);
    } catch (e) {
      const err = e as Error & { lineNumber?: number; column?: number; loc?: NarrativeError["loc"] };
      const first = (err.message.split("\n")[0] ?? err.message).replace(/ - \d+:\d+$/, "");
      if (err.loc) throw locate(err.loc.start.line, err.loc.start.column, first, (e as NarrativeError).where?.hint);
      if (err.lineNumber)
        throw locate(
          err.lineNumber,
          err.column,
          first.replace(/ in \[object Object\]$/, ""),
          "no such indicator or label: check the name against indicators.json",
        );
      const parse = /Parse error on line (\d+)/.exec(err.message);
      const open = /got 'EOF'/.test(err.message) ? unclosedBlock(source) : undefined;
      if (open)
        throw locate(open.line, open.column, `{{#${open.name}}} is never closed`, `close it with {{/${open.name}}}`);
      if (parse)
        throw locate(
          Number(parse[1]),
          undefined,
          `syntax error: ${err.message.split("\n").at(-1)}`,
          "close every {{#block}} with {{/block}} and every {{ with }}",
        );
      throw locate(undefined, undefined, first);
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
        const at = source.split("\n").findIndex((l) => l.includes(m[0]));
        throw locate(
          at >= 0 ? at + 1 : undefined,
          at >= 0 ? source.split("\n")[at]!.indexOf(m[0]) : undefined,
          `the number \`${m[0]}\` in "…${around}…" does not come from a helper`,
          `write it as {{num "…"}}, {{year "…"}}, {{pct "…"}} … so it is traced to an indicator`,
        );
      }
    }
    return out.replaceAll(OPEN, "").replaceAll(CLOSE, "");
  };

  const sections: Record<string, NarrativePart> = {};
  for (const id of [...input.sectionIds, "revisions", "definitions"]) {
    const tpl = input.templates[id];
    if (!tpl) throw new NarrativeError(`missing narrative template for section \`${id}\` (${locale.lang})`);
    section = id;
    const parts = splitParts(tpl.source, tpl.file);
    const note = input.notes[id as SectionId];
    const part = (name: string) => render(tpl.file, name, parts[name]?.text ?? "", true, parts[name]?.line);
    // rendered in this order (headline, body, caption, alt): facts.json lists the facts as the text states them
    const headline = part("headline").trim();
    const body = paragraphs(part("body"));
    const caption = part("caption").trim();
    const alt = part("alt").replace(/\s+/g, " ").trim();
    sections[id] = {
      headline,
      body,
      caption,
      alt,
      note: note
        ? paragraphs(
            render(
              input.notesFile ?? "config.yml",
              `editions.${ind.meta.year}.notes.${locale.lang}.${id}`,
              note,
              false,
            ),
          )
        : "",
      headlineText: toText(headline),
      altText: toText(alt),
      captionText: toText(caption),
    };
  }
  return { sections, facts };
}
