/**
 * Steps 2–5 of the chain in pipeline.ts, for one year: read its tables (2), validate them (3), put them on the
 * edition's municipalities and compute each area's indicators (4), and, per area, the narrative of each language (5).
 * pipeline.ts chains these with the steps after them; the numbers are the diagram's there.
 */
import { join } from "node:path";
import type { ChartCache } from "./charts/render-charts.ts";
import { editionOf } from "./config/edition.ts";
import { type EditionPlan, languagesOf } from "./config/editions.ts";
import { configLine } from "./config/read-config.ts";
import type { Config, Edition } from "./config/schema.ts";
import type { Lang, SectionId } from "./core/domain.ts";
import { type Timings, timed, timedSync } from "./core/timing.ts";
import { harmonise } from "./data/harmonise.ts";
import { flowYearsFor, readDatasets } from "./data/read-datasets.ts";
import type { Effects } from "./effects.ts";
import type { Problem } from "./errors/problem.ts";
import { boundaryFileFor } from "./geo/read-boundaries.ts";
import { type Area, isProblem, resolveArea, sectionsFor } from "./indicators/area.ts";
import { computeIndicators } from "./indicators/compute-indicators.ts";
import { readPrevious } from "./indicators/revisions.ts";
import type { Indicators } from "./indicators/types.ts";
import { checkNotes } from "./narrative/claims.ts";
import { narrateEditions } from "./narrative/narrate.ts";
import { readTemplates, type TemplateSet, templatesDirFor } from "./narrative/read-templates.ts";
import { editionFolder } from "./publish/publish.ts";
import { validateDatasets } from "./validate/validate-datasets.ts";

/** What steps 2–5 need of the request. */
export interface PrepareRequest {
  configPath: string;
  templatesDir?: string;
  outDir?: string;
}

/**
 * The live preview's caches (`bulletin serve`): a rebuild computes again only what a change touched. The preview
 * empties `prepared` when config.yml or data/ change and `templates` when templates/ change; charts are keyed by
 * their spec, so a chart is drawn again only when its spec changes.
 */
export interface RenderCache {
  /** steps 2–4, by the plan they were made for */
  prepared: Map<string, { prepared: Prepared[]; problems: Problem[] }>;
  templates?: TemplateSet;
  charts: ChartCache;
}

export interface Prepared {
  year: number;
  area: Area;
  langs: Lang[];
  sections: readonly SectionId[];
  edition: Edition;
  indicators: Indicators;
  /** the boundary file of the edition's municipalities (undefined: none configured for them) */
  boundaries: string | undefined;
}

/** Steps 2–4 for one year: its tables, their problems, and the indicators of each area when the data pass. */
export async function prepareYear(
  config: Config,
  req: PrepareRequest,
  year: number,
  areas: Map<string, Lang[]>,
  fx: Effects,
  out: { problems: Problem[]; timings: Timings },
): Promise<Prepared[]> {
  const read = await timed(out.timings, "load", () => readDatasets(config, year, fx)); // 2
  const ds = read.datasets;
  const periodYears = flowYearsFor(config, year).required;
  const geography = config.editions[String(year)]?.geography ?? year; // the municipalities the edition uses
  // a table that could not be read is reported alone: the cross-table checks would only report the hole it leaves
  const unread = read.problems.some((p) => p.severity === "error");
  const found = await timed(out.timings, "validate", () =>
    unread
      ? read.problems
      : [...read.problems, ...validateDatasets(ds, { year, region: config.geography.region, periodYears, geography })],
  ); // 3
  out.problems.push(...found);
  if (found.some((p) => p.severity === "error")) return [];
  const h = harmonise(ds, geography); // 3: every table on the edition's municipalities
  const resolved = [...areas].map(([nis, langs]) => ({ area: resolveArea(h.datasets, nis), langs }));
  const unknown = resolved.flatMap((r) => (isProblem(r.area) ? [r.area] : []));
  out.problems.push(...unknown);
  if (unknown.some((p) => p.severity === "error")) return [];
  const today = fx.now().toISOString().slice(0, 10);
  const folder = { outDir: req.outDir ?? config.output.dir, region: config.geography.region };
  return Promise.all(
    resolved.map(async ({ area, langs }) => {
      const a = area as Area;
      const dated = editionOf(config, year, { configPath: req.configPath, today, area: a.nis });
      if (dated.problem && !out.problems.some((p) => p.rule === dated.problem!.rule)) out.problems.push(dated.problem);
      const previousFile = dated.edition.previous ?? join(editionFolder(folder, year - 1, a.nis), "indicators.json");
      const previous = await readPrevious(previousFile, fx); // the edition before, for the revisions
      const p4 = { year, area: a, periodYears: config.municipalPeriod.years, synthetic: config.synthetic };
      const indicators = timedSync(out.timings, "indicators", () =>
        computeIndicators(h.datasets, { ...p4, previous, geography: { year: geography, recomputed: h.recomputed } }),
      ); // 4
      // the editorial notes' claims, checked against the indicators (a contradicted note is an error)
      const { claims, ...notes } = dated.edition.notes;
      const at = { file: req.configPath, key: `editions.${year}.notes`, lines: (k: string) => configLine(config, k) };
      out.problems.push(...checkNotes({ indicators, notes, claims, ...at })); // 4
      const boundaries = boundaryFileFor(config.data.boundaries, geography);
      return { year, area: a, langs, sections: sectionsFor(a.level), edition: dated.edition, indicators, boundaries };
    }),
  );
}

export async function templatesFor(req: PrepareRequest, plan: EditionPlan, fx: Effects): Promise<TemplateSet> {
  return readTemplates(req.templatesDir ?? (await templatesDirFor(req.configPath, fx)), languagesOf(plan), fx);
}
export const narrate = (p: Prepared, templates: TemplateSet, configPath: string, mapShown: boolean) =>
  narrateEditions({ ...p, templates, notes: { nl: p.edition.notes.nl, en: p.edition.notes.en }, configPath, mapShown }); // 5
