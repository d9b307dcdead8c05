import { createHash } from "node:crypto";
import Handlebars from "handlebars";

type TemplateSpecification = ReturnType<typeof Handlebars.precompile>;

import { compile as compileHtmlToText } from "html-to-text";
import type { SectionId } from "../core/domain.ts";
import { NarrativeError } from "./errors.ts";
import { CLOSE, type HelperState, OPEN, registerHelpers } from "./helpers.ts";
import { paragraphs, resolvePath, splitParts, unclosedBlock } from "./parts.ts";
import type { Narrative, NarrativeInput, NarrativePart } from "./types.ts";
import { viewOf } from "./view.ts";

/*
 * The narrative of an edition, section by section: the helpers (helpers.ts) write every number and record it as a
 * fact; renderPart locates a template's errors and refuses a digit that no helper wrote. Template parsing is in
 * parts.ts, the derived view in view.ts.
 */

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
export type { Fact, Narrative, NarrativeInput, NarrativePart } from "./types.ts";
export { NarrativeError, resolvePath };

/**
 * A template's compiled form, by its source: the same text is compiled once per process (the live preview rebuilds
 * after every edit; only the edited template is compiled again). The spec does not depend on the helpers, which each
 * narrative binds with `hb.template`.
 */
const COMPILED = new Map<string, TemplateSpecification>();

/**
 * Handlebars' precompiled code of the templates earlier runs compiled, by `templateKey` (chain/compiled-cache.ts keeps
 * it in the machine's cache): a fresh process evaluates that code instead of running Handlebars' compiler again, which
 * cost ~0.2 s of every cold build. `added` is what this process compiled itself, for the cache.
 */
export const templateCode = { known: new Map<string, string>(), added: new Map<string, string>() };
/** A template's key: its source and the Handlebars that compiles it. */
export const templateKey = (source: string) =>
  createHash("sha256").update(`handlebars ${Handlebars.VERSION}\0`).update(source).digest("hex").slice(0, 32);
const evaluate = (code: string) => new Function(`return ${code};`)() as TemplateSpecification;
/** A template's compiled form (kept, evaluated from earlier runs' code, or compiled): the narrative's and the layout's. */
export function compiledTemplate(source: string): TemplateSpecification {
  let spec = COMPILED.get(source);
  if (!spec) {
    const key = templateKey(source);
    const known = templateCode.known.get(key);
    try {
      if (known !== undefined) spec = evaluate(known);
    } catch {
      templateCode.known.delete(key); // a cache entry cut short: compiled again
    }
    if (!spec) {
      // Handlebars' own compile step, kept as an object instead of made into a function (Handlebars.precompile's code)
      const code = String(Handlebars.precompile(source, { strict: true, noEscape: false }));
      spec = evaluate(code);
      templateCode.added.set(key, code);
    }
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

export function writeNarrative(input: NarrativeInput): Narrative {
  const { indicators: ind, locale } = input;
  const hasEuComparison = input.sectionIds.includes("eu-comparison");
  const s: HelperState = {
    hb: Handlebars.create(),
    ind,
    locale,
    facts: [],
    section: "",
    source: "",
    context: { ...ind, view: { ...viewOf(ind), mapShown: input.mapShown ?? true, hasEuComparison } },
  };
  registerHelpers(s);
  const render = (file: string, part: string, source: string, guard: boolean, firstLine = 1) =>
    renderPart(s, { file, part, source, guard, firstLine });
  const sections: Record<string, NarrativePart> = {};
  for (const id of [...input.sectionIds, "revisions", "definitions"]) {
    const tpl = input.templates[id];
    if (!tpl) throw new NarrativeError(`missing narrative template for section \`${id}\` (${locale.lang})`);
    s.section = id;
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
  return { sections, facts: s.facts };
}

/** One part of a template (or a note) rendered, its errors located in the file, and no digit outside a helper's
 * words (`guard`). `firstLine`: the line of the template file the part's source starts on. */
function renderPart(
  s: HelperState,
  r: { file: string; part: string; source: string; guard: boolean; firstLine: number },
): string {
  const { file, part, source, guard, firstLine } = r;
  const { hb, context } = s;
  let out: string;
  s.source = source;
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
    out = hb.template(compiledTemplate(source))(context);
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
}
