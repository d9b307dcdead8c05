/**
 * Steps 2–5 of the chain in pipeline.ts, for one year: read its tables (2), validate them (3), put them on the
 * edition's municipalities and compute each area's indicators (4), and, per area, the narrative of each language (5).
 * pipeline.ts chains these with the steps after them; the numbers are the diagram's there.
 */
import { join } from "node:path";
import type { ChartCache } from "../charts/render-charts.ts";
import { editionOf } from "../config/edition.ts";
import { type EditionPlan, languagesOf } from "../config/editions.ts";
import { configLine } from "../config/read-config.ts";
import type { Config, Edition } from "../config/schema.ts";
import type { Lang, SectionId } from "../core/domain.ts";
import { type Timings, timed, timedSync } from "../core/timing.ts";
import type { Table } from "../data/csv.ts";
import { type Harmonised, harmonise } from "../data/harmonise.ts";
import { type Datasets, flowYearsFor, readDatasets } from "../data/read-datasets.ts";
import { applyPattern } from "../disclosure/apply.ts";
import type { Effects } from "../effects.ts";
import { type Problem, UsageError } from "../errors/problem.ts";
import { boundaryFileFor } from "../geo/read-boundaries.ts";
import { type Area, isProblem, municipalitiesOf, resolveArea, sectionsFor } from "../indicators/area.ts";
import { computeIndicators } from "../indicators/compute-indicators.ts";
import { readPrevious } from "../indicators/revisions.ts";
import type { Indicators, MunicipalityValue } from "../indicators/types.ts";
import { checkNotes } from "../narrative/claims.ts";
import { narrateEditions } from "../narrative/narrate.ts";
import { readTemplates, type TemplateSet, templatesDirFor } from "../narrative/read-templates.ts";
import { editionFolder } from "../publish/publish.ts";
import { validateDatasets } from "../validate/validate-datasets.ts";
import { loadCompiledCode } from "./compiled-cache.ts";
import { type RoundPattern, roundPatternFor } from "./round.ts";

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
  /** steps 2–3 of each year (tables read, validated, put on the edition's geography) */
  years?: Map<number, YearData>;
  /** steps 2–4, by the plan they were made for */
  prepared: Map<string, { prepared: Prepared[]; problems: Problem[] }>;
  templates?: TemplateSet;
  charts?: ChartCache;
  /** the rounds' suppression patterns, by the hash of their inputs */
  rounds?: Map<string, RoundPattern>;
  /** a batch: config.yml, read once for all its editions */
  config?: Config;
  /** a batch: the boundary files, each read once for all its editions */
  boundaries?: (p: { boundaries: string | undefined }) => Promise<unknown>;
}

/** The key of a plan's prepared editions in `RenderCache.prepared`. */
export const planKeyOf = (plan: EditionPlan) => JSON.stringify([...plan].map(([y, a]) => [y, [...a]]));

/** A year's tables as every edition of it uses them. */
export interface YearData {
  found: Problem[];
  h: Harmonised | undefined;
  geography: number;
  /** the region's municipal rows (a municipality's edition compares with them) */
  regionRows?: MunicipalityValue[];
  /** every municipality of the code list, of any year, and the crosswalk (to name a merged one's successor) */
  codes?: { municipalities: Table; crosswalk: Table };
  /** the tables as read (before harmonisation): the round's pattern reads them */
  raw?: Datasets;
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
  out: { problems: Problem[]; timings: Timings; rounds?: Map<number, RoundPattern> },
  cache?: RenderCache,
): Promise<Prepared[]> {
  const region = config.geography.region;
  let y = cache?.years?.get(year);
  if (!y) {
    y = await yearData(config, year, fx, out.timings); // 2–3
    cache?.years?.set(year, y);
  }
  out.problems.push(...y.found);
  const h = y.h;
  const geography = y.geography;
  if (!h) return [];
  // `--area municipalities`: every municipality of the region on the edition's geography (`municipalities:NIS`: of
  // that province or arrondissement)
  const wanted = new Map(
    [...areas].flatMap(([nis, langs]) =>
      nis.startsWith("municipalities")
        ? municipalitiesOf(h.datasets, region, nis.split(":")[1]).map((m) => [m, langs] as const)
        : [[nis, langs] as const],
    ),
  );
  const resolved = [...wanted].map(([nis, langs]) => ({ nis, area: resolveArea(h.datasets, nis), langs }));
  // a municipality is compared with its arrondissement, province and region: the region's municipal rows, once
  if (resolved.some((r) => !isProblem(r.area) && r.area.level === "municipality") && !y.regionRows) {
    const ra = resolveArea(h.datasets, region);
    const p = {
      year,
      periodYears: config.municipalPeriod.years,
      synthetic: config.synthetic,
      disclosure: config.disclosure,
    };
    if (!isProblem(ra)) y.regionRows = computeIndicators(h.datasets, { ...p, area: ra }).municipalities.rows;
  }
  const unknown = resolved.flatMap((r) => (isProblem(r.area) ? [r.area] : []));
  // a municipality that no longer exists in the edition's geography: the argument is wrong, not the data
  for (const r of resolved) if (isProblem(r.area)) mergedAway(r.nis, year, geography, y.codes);
  out.problems.push(...unknown);
  if (unknown.some((p) => p.severity === "error")) return [];
  // 4a: the round's suppression pattern (one for every edition of the year, read with the rounds before it)
  const round = await timed(out.timings, "disclosure", () =>
    roundPatternFor(config, year, fx, {
      tables: new Map([[year, { raw: y.raw!, harmonised: h.datasets }]]),
      memo: cache?.rounds,
    }),
  );
  out.rounds?.set(year, round);
  const today = fx.now().toISOString().slice(0, 10);
  const folder = { outDir: req.outDir ?? config.output.dir, region: config.geography.region };
  return Promise.all(
    resolved.map(async ({ area, langs }) => {
      const a = area as Area;
      const dated = editionOf(config, year, { configPath: req.configPath, today, area: a.nis });
      if (dated.problem && !out.problems.some((p) => p.rule === dated.problem!.rule)) out.problems.push(dated.problem);
      const previousFile =
        dated.edition.previous ?? join(editionFolder(folder, year - 1, a.nis, a.level), "indicators.json");
      const previous = await readPrevious(previousFile, fx); // the edition before, for the revisions
      const p4 = { year, area: a, periodYears: config.municipalPeriod.years, synthetic: config.synthetic };
      const local = {
        disclosure: config.disclosure, // the rule of the reliable rates too, in every edition
        ...(a.level === "municipality" ? { regionRows: y.regionRows } : {}),
      };
      const indicators = timedSync(out.timings, "indicators", () =>
        applyPattern(
          computeIndicators(h.datasets, {
            ...p4,
            ...local,
            disclose: false,
            previous,
            geography: { year: geography, recomputed: h.recomputed, merged: h.merged },
          }),
          round.pattern,
          round.geo,
          config.disclosure,
        ),
      ); // 4, and what the round's pattern hides
      // the editorial notes' claims, checked against the indicators (a contradicted note is an error)
      const { claims, ...notes } = dated.edition.notes;
      const at = { file: req.configPath, key: `editions.${year}.notes`, lines: (k: string) => configLine(config, k) };
      out.problems.push(...checkNotes({ indicators, notes, claims, ...at })); // 4
      const boundaries = boundaryFileFor(config.data.boundaries, geography);
      return { year, area: a, langs, sections: sectionsFor(a.level), edition: dated.edition, indicators, boundaries };
    }),
  );
}

/** A year's tables read (2), validated and harmonised onto the edition's municipalities (3). */
async function yearData(config: Config, year: number, fx: Effects, timings: Timings): Promise<YearData> {
  const region = config.geography.region;
  const read = await timed(timings, "load", () => readDatasets(config, year, fx)); // 2
  const ds = read.datasets;
  const periodYears = flowYearsFor(config, year).required;
  const geography = config.editions[String(year)]?.geography ?? year; // the municipalities the edition uses
  // a table that could not be read is reported alone: the cross-table checks would only report the hole it leaves
  const unread = read.problems.some((p) => p.severity === "error");
  const found = await timed(timings, "validate", () =>
    unread ? read.problems : [...read.problems, ...validateDatasets(ds, { year, region, periodYears, geography })],
  ); // 3
  const h = found.some((p) => p.severity === "error") ? undefined : harmonise(ds, geography); // 3: on its municipalities
  return { found, h, geography, codes: { municipalities: ds.municipalities, crosswalk: ds.crosswalk }, raw: ds };
}

/** A UsageError naming the successor when `nis` is a municipality of the code list merged before `geography`. */
function mergedAway(nis: string | undefined, year: number, geography: number, codes: YearData["codes"]) {
  const row = nis && codes?.municipalities.rows.find((m) => m.nis === nis);
  if (!row) return;
  const next = codes!.crosswalk.rows.find((c) => c.nis_old === nis && Number(c.since) <= geography);
  const successor = next && codes!.municipalities.rows.find((m) => m.nis === next.nis_new);
  const until = Number(row.valid_to);
  const from = Number(row.valid_from);
  const before = codes!.crosswalk.rows
    .filter((c) => c.nis_new === nis)
    .map((c) => codes!.municipalities.rows.find((m) => m.nis === c.nis_old))
    .filter((m) => m !== undefined)
    .map((m) => `${m.nis} (${m.name_nl})`);
  throw new UsageError(
    successor
      ? `${nis} (${row.name_nl}) merged into ${successor.nis} (${successor.name_nl}) on 1 January ${next!.since}: the ${year} edition is on the municipalities of ${geography}; use --area ${successor.nis}${until ? `, or --year ${until} for ${row.name_nl}'s own edition` : ""}`
      : from > geography
        ? `${nis} (${row.name_nl}) exists from 1 January ${from}: use --year ${from}${before.length ? `; in ${geography} it was ${before.join(", ")}` : ""}`
        : `${nis} (${row.name_nl}) is not a municipality in ${geography}${until ? `: it existed until ${until} (use --year ${until})` : ""}`,
  );
}

export async function templatesFor(req: PrepareRequest, plan: EditionPlan, fx: Effects): Promise<TemplateSet> {
  await loadCompiledCode(fx, ["templates"]); // their compiled code from earlier runs
  return readTemplates(req.templatesDir ?? (await templatesDirFor(req.configPath, fx)), languagesOf(plan), fx);
}
export const narrate = (p: Prepared, templates: TemplateSet, configPath: string, mapShown: boolean) =>
  narrateEditions({ ...p, templates, notes: { nl: p.edition.notes.nl, en: p.edition.notes.en }, configPath, mapShown }); // 5
