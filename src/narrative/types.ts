import type { SectionId } from "../core/domain.ts";
import type { Locale } from "../i18n/locale.ts";
import type { Indicators } from "../indicators/types.ts";

/** What a narrative is made of (write-narrative.ts). */
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
