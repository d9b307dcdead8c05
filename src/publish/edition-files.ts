import type { Lang } from "../core/domain.ts";
import type { Indicators } from "../indicators/types.ts";
import type { EditionSummary } from "../narrative/summary.ts";
import type { Fact } from "../narrative/write-narrative.ts";
import type { OutputFile } from "./publish.ts";

/** What one language of an area's edition publishes. */
export interface EditionContent {
  lang: Lang;
  html?: string;
  pdf?: Uint8Array;
  facts: Fact[];
  summary: EditionSummary;
  /** png: none when the edition leaves PNG copies out (a municipal edition, by default) */
  charts: { id: string; svg: string; png?: Uint8Array; csv: string; specJson: string; xlsx: Uint8Array }[];
}

/**
 * The files of an area's edition, relative to its folder: indicators.json, and per language bulletin.html,
 * bulletin.pdf, facts.json, summary.json and charts/<figure>.{svg,png,csv,xlsx,vl.json} (png when made).
 */
export function editionFiles(indicators: Indicators, editions: EditionContent[]): OutputFile[] {
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  const files: OutputFile[] = [{ path: "indicators.json", data: json(indicators) }];
  for (const e of editions) {
    if (e.html !== undefined) files.push({ path: `${e.lang}/bulletin.html`, data: e.html });
    if (e.pdf) files.push({ path: `${e.lang}/bulletin.pdf`, data: e.pdf });
    files.push({ path: `${e.lang}/facts.json`, data: json(e.facts) });
    files.push({ path: `${e.lang}/summary.json`, data: json(e.summary) });
    for (const c of e.charts) {
      files.push({ path: `${e.lang}/charts/${c.id}.svg`, data: c.svg });
      if (c.png) files.push({ path: `${e.lang}/charts/${c.id}.png`, data: c.png });
      files.push({ path: `${e.lang}/charts/${c.id}.csv`, data: c.csv });
      files.push({ path: `${e.lang}/charts/${c.id}.xlsx`, data: c.xlsx });
      files.push({ path: `${e.lang}/charts/${c.id}.vl.json`, data: c.specJson });
    }
  }
  return files;
}
