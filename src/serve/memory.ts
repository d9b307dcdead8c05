/*
 * What the preview's editions hold in memory, and the collection that keeps the process near it (commands/serve.ts
 * drops the least recently viewed editions past its budget).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * The memory an area's editions hold in the preview, in bytes: the text of their pages, figures (the SVG also in the
 * chart cache), data tables, specs and indicators, at two bytes a character (V8 stores text with a character
 * outside Latin-1, such as the minus sign of the tables, at two). Measured after a full collection with 10 and with 60
 * municipal editions in memory, an area holds 2.6 MB; this gives 4.0 MB, so the budget is an upper bound (README).
 */
/** The heap of the preview with no edition in memory (the program, the tables of a year, the templates). */
export const BASE_HEAP = 80e6;

/** V8's full garbage collection, made callable (as `node --expose-gc` would) for the preview's memory bound. */
export const fullGc: (() => void) | undefined = (() => {
  try {
    setFlagsFromString("--expose-gc");
    return runInNewContext("gc") as () => void;
  } catch {
    return undefined;
  }
})();

/** What of an area's editions the preview holds (chain/types.ts's BuiltArea has it). */
export interface Held {
  indicators: unknown;
  editions: {
    html: string;
    narrative: unknown;
    charts: { svg: string; csv: string; specJson: string; table: string }[];
  }[];
}

export function sizeOf(b: Held): number {
  let chars = JSON.stringify(b.indicators).length;
  for (const e of b.editions) {
    chars += e.html.length + JSON.stringify(e.narrative).length;
    for (const c of e.charts) chars += 2 * c.svg.length + c.csv.length + c.specJson.length + c.table.length;
  }
  return 2 * chars;
}
