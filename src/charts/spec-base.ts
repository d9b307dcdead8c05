import type { TopLevelSpec } from "vega-lite";
import type { Locale } from "../i18n/locale.ts";
import type { Indicators } from "../indicators/types.ts";
import type { MachineTable } from "./machine-tables.ts";
import { NUMBER_LOCALES, TIME_LOCALES, VEGA_CONFIG } from "./theme.ts";

/** A figure: its Vega-Lite spec and the data behind it as a labelled table (CSV download and HTML table). */
export interface ChartSpec {
  id: string;
  spec: TopLevelSpec;
  columns: string[];
  rows: (string | number)[][];
  /** the `.csv` download: tidy, language-neutral codes and column names (machine-tables.ts) */
  data?: MachineTable;
}
export interface ChartInput {
  indicators: Indicators;
  locale: Locale;
  /** TopoJSON of the municipalities (object `municipalities`, properties {nis, name}); without it the map is a ranking */
  boundaries?: unknown;
  /** accessible descriptions per figure (from the narrative) */
  descriptions: Record<string, string>;
}

/** The width of every figure, in CSS pixels (the text column of the bulletin). */
export const WIDTH = 620;

/** What every figure's spec starts with: the schema, its accessible description and the bulletin's theme. */
export function base(input: ChartInput, id: string, extra: object): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    description: input.descriptions[id] ?? id,
    // the edition's number and time locale travel with the spec, so the downloaded .vl.json renders the same
    // numbers in the Vega Editor as in the bulletin (nl: 94.372, 0,3)
    config: {
      ...VEGA_CONFIG,
      locale: { number: NUMBER_LOCALES[input.locale.lang], time: TIME_LOCALES[input.locale.lang] },
    },
    ...extra,
  } as TopLevelSpec;
}
