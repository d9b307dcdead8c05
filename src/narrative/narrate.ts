import type { Lang, SectionId } from "../core/domain.ts";
import { problem } from "../errors/messages.ts";
import { InputError } from "../errors/problem.ts";
import type { Indicators } from "../indicators/types.ts";
import { compareFacts } from "./compare-facts.ts";
import type { TemplateSet } from "./read-templates.ts";
import { type Narrative, NarrativeError, writeNarrative } from "./write-narrative.ts";

/**
 * The narrative of every language of one (year, area): each written by its templates, then compared (the editions
 * must state the same facts and take the same wording branches). A template error becomes a located problem.
 */
export function narrateEditions(o: {
  indicators: Indicators;
  templates: TemplateSet;
  langs: Lang[];
  sections: readonly SectionId[];
  notes: Partial<Record<Lang, Partial<Record<SectionId, string>>>>;
  configPath: string;
  /** the municipal figure is a map (else a ranking) */
  mapShown: boolean;
}): Record<Lang, Narrative> {
  const narratives = {} as Record<Lang, Narrative>;
  for (const lang of o.langs) {
    try {
      narratives[lang] = writeNarrative({
        indicators: o.indicators,
        locale: o.templates.locales[lang]!,
        templates:
          o.indicators.meta.areaLevel === "municipality"
            ? municipal(o.templates.narrative[lang]!)
            : o.templates.narrative[lang]!,
        notes: o.notes[lang] ?? {},
        notesFile: o.configPath,
        mapShown: o.mapShown,
        sectionIds: o.sections,
      });
    } catch (e) {
      if (!(e instanceof NarrativeError)) throw e;
      const w = e.where;
      const found = problem(
        "template",
        { file: w.file ?? "templates", ...(w.line ? { line: w.line } : {}), ...(w.column ? { column: w.column } : {}) },
        { message: w.detail ?? e.message, hint: w.hint },
      );
      throw new InputError(e.message, [{ ...found, ...(w.excerpt !== undefined ? { excerpt: w.excerpt } : {}) }]);
    }
  }
  compareFacts(narratives);
  return narratives;
}

/** A municipality's edition: its sections' own templates under their ids (definitions and revisions are shared). */
function municipal(t: TemplateSet["narrative"][string]): TemplateSet["narrative"][string] {
  const out = { ...t };
  for (const k of Object.keys(t)) if (k.startsWith("municipal/")) out[k.slice("municipal/".length)] = t[k]!;
  return out;
}
