import { GROUPS } from "../core/domain.ts";
import type { Datasets } from "../data/read-datasets.ts";
import { type Area, isProblem, resolveArea } from "../indicators/area.ts";
import { computeIndicators } from "../indicators/compute-indicators.ts";
import type { DisclosureRule } from "../indicators/disclosure.ts";
import type { Indicators } from "../indicators/types.ts";
import { hiddenKind } from "./apply.ts";
import { cellsOf } from "./cells.ts";
import { type RoundGeography, roundGeography } from "./keys.ts";
import { type Evaluate, type Pattern, roundPattern, type Truth, withheldCells } from "./pattern.ts";
import type { Categories, Kind, Round } from "./system.ts";
import { flowTruth } from "./truth.ts";

/*
 * A round: every edition an office publishes for one observation year (the region, each of its provinces and
 * arrondissements, each municipality), its cells, and its suppression pattern. The editions of a round are known from
 * the code lists alone, whatever a build is asked for, so every build of a year computes the same pattern.
 */

export interface RoundParams {
  year: number;
  region: string;
  /** the year whose municipalities the round uses */
  geography: number;
  periodYears: number;
  synthetic: boolean;
  rule: DisclosureRule;
}

export interface RoundData {
  geo: RoundGeography;
  round: Round;
  truth: Truth;
  /** the indicators of every area of the round as computed (before disclosure control), by NIS code */
  raw: Map<string, Indicators>;
  /** the true value of any cell of the round, published or not */
  evaluate: Evaluate;
}

/** The areas of the round: the region, its provinces and arrondissements, its municipalities (in code order). */
export function roundAreas(ds: Datasets, region: string): Area[] {
  const munis = ds.municipalities.rows.filter((m) => m.region === region);
  const codes = new Set<string>([region]);
  for (const m of munis) {
    codes.add(m.province as string);
    codes.add(m.arrondissement as string);
  }
  const areas = [...codes].sort().map((c) => resolveArea(ds, c));
  const munAreas = munis.map((m) => resolveArea(ds, m.nis as string));
  return [...areas, ...munAreas].filter((a): a is Area => !isProblem(a));
}

/** The cells of every edition of the round, computed from its (harmonised) tables. Pure. */
export function roundData(ds: Datasets, p: RoundParams, unharmonised: Datasets = ds): RoundData {
  const geo = roundGeography(unharmonised, p); // every code of the list, merged ones included
  const base = {
    year: p.year,
    periodYears: p.periodYears,
    synthetic: p.synthetic,
    disclosure: p.rule,
    disclose: false,
  };
  const raw = new Map<string, Indicators>();
  const areas = roundAreas(ds, p.region);
  const regionArea = areas.find((a) => a.nis === p.region)!;
  const regionInd = computeIndicators(ds, { ...base, area: regionArea });
  raw.set(p.region, regionInd);
  for (const area of areas) {
    if (area.nis === p.region) continue;
    const local =
      area.level === "municipality" ? { regionRows: regionInd.municipalities.rows, disclosure: p.rule } : {};
    raw.set(area.nis, computeIndicators(ds, { ...base, area, ...local }));
  }
  const editions = [...raw.values()].map((ind) => cellsOf(ind, geo));
  const truth: Truth = new Map();
  for (const e of editions) for (const c of e.cells) if (c.value !== null) truth.set(c.key, c.value);
  return { geo, round: { geo, editions }, truth, raw, evaluate: flowTruth(unharmonised, geo) };
}

/** What the code lists say about the categories. */
export function categoriesOf(ds: Datasets): Categories {
  const components: Record<string, string[]> = {};
  for (const r of ds.components.rows) {
    const d = r.direction as string;
    components[d] = [...(components[d] ?? []), r.code as string];
  }
  return {
    components,
    groupOf: new Map(ds.nationalities.rows.map((r) => [r.code as string, r.group as string])),
    groups: [...GROUPS],
  };
}

/** A published round as the next round reads it: each cell published with its value, or hidden with its marker. */
export function markingOf(data: RoundData, pattern: Pattern): Map<string, { kind: Kind; value?: number }> {
  const m = new Map<string, { kind: Kind; value?: number }>();
  for (const [k, v] of data.truth) {
    const h = hiddenKind(pattern, k);
    m.set(k, h ? { kind: h } : { kind: "published", value: v });
  }
  return m;
}

/** The pattern of a round read with the rounds before it (oldest first, each with its own pattern). */
export async function patternOf(
  data: RoundData,
  before: { data: RoundData; pattern: Pattern }[],
  cats: Categories,
  rule: DisclosureRule,
): Promise<Pattern> {
  const marking = new Map<string, { kind: Kind; value?: number }>();
  const truth: Truth = new Map();
  for (const b of before) {
    for (const [k, v] of markingOf(b.data, b.pattern)) marking.set(k, v);
    for (const [k, v] of b.data.truth) truth.set(k, v);
  }
  return roundPattern(
    data.round,
    data.truth,
    { rounds: before.map((b) => b.data.round), marking, truth, evaluate: before.map((b) => b.data.evaluate) },
    cats,
    rule.minCount,
    data.evaluate,
    withheldCells(data.truth, rule.minCount, smallAreas(data, rule)),
  );
}

/** The municipalities whose population is below the rule's minimum for a rate (their breakdowns are withheld). */
export function smallAreas(data: RoundData, rule: DisclosureRule): Set<string> {
  const region = [...data.raw.values()].find((i) => i.meta.areaLevel === "region");
  return new Set(
    (region?.municipalities.rows ?? []).filter((r) => r.averagePopulation < rule.rateMinPopulation).map((r) => r.nis),
  );
}
