/** What `build` is asked for and what it returns: the editions rendered in memory, then published. */

import type { ChartSpec } from "../charts/build-chart-specs.ts";
import type { RenderedChart } from "../charts/render-charts.ts";
import type { EditionRequest } from "../config/editions.ts";
import type { Config } from "../config/schema.ts";
import type { EditionKey, SectionId } from "../core/domain.ts";
import type { Marks, Timings } from "../core/timing.ts";
import type { Problem } from "../errors/problem.ts";
import type { Indicators } from "../indicators/types.ts";
import type { EditionSummary } from "../narrative/summary.ts";
import type { Narrative } from "../narrative/write-narrative.ts";
import type { RenderCache } from "./prepare.ts";
import type { RoundPattern } from "./round.ts";

export type Format = "html" | "pdf";
export interface BuildRequest extends EditionRequest {
  configPath: string;
  /** what to write (default: html and pdf) */
  formats?: Format[];
  outDir?: string;
  templatesDir?: string;
  /**
   * The date the PDFs state, in seconds since 1970 (the reproducible-builds convention, SOURCE_DATE_EPOCH); without
   * it, the edition's publication date. Either way the same inputs give the same bytes.
   */
  sourceDateEpoch?: number;
  /** the live preview: HTML only, no PNG or workbook made unless asked for, and caches kept between rebuilds */
  preview?: RenderCache;
  /** caches kept between calls (a batch of many editions renders them in chunks) */
  cache?: RenderCache;
}
export interface BuiltEdition {
  key: EditionKey;
  narrative: Narrative;
  summary: EditionSummary;
  specs: ChartSpec[];
  charts: RenderedChart[];
  pngs: Uint8Array[];
  html: string;
  pdf?: Uint8Array;
  /** per chart, its data as an Excel workbook */
  xlsx: Uint8Array[];
}
export interface BuiltArea {
  year: number;
  area: string;
  sections: readonly SectionId[];
  indicators: Indicators;
  editions: BuiltEdition[];
  /** the folder it is published in */
  target: string;
  /** set by `build`: the published folder already held exactly these bytes, and was left as it was */
  unchanged?: boolean;
}
export interface Built {
  config: Config;
  areas: BuiltArea[];
  problems: Problem[];
  timings: Timings;
  marks: Marks;
  /** the suppression pattern of each year's round (every edition of the year shows it) */
  rounds: Map<number, RoundPattern>;
}
