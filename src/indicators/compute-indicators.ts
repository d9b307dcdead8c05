import { COMPONENTS, DIRECTIONS, EU27_SINCE, GROUPS, NUTS_OF_REGION } from "../core/domain.ts";
import type { Row } from "../data/csv.ts";
import type { FlowTable } from "../data/flows.ts";
import type { Datasets } from "../data/read-datasets.ts";
import type { Area } from "./area.ts";
import { DEFAULT_RULE, type DisclosureRule, rateReliable } from "./disclosure.ts";
import { discloseIndicators, localComparison } from "./municipal.ts";
import { compareEditions } from "./revisions.ts";
import { MUCH_HIGHER_FACTOR, muchHigher, type Point, riseOnset, STEADY_MAX, shapeOf, VARIABLE_MIN } from "./trends.ts";
import type {
  ComponentValue,
  Direction,
  EuValue,
  Group,
  Indicators,
  Label,
  MunicipalityValue,
  NationalityValue,
  YearTotals,
} from "./types.ts";

/*
 * Why one file: the seven sections' indicators share one pass over each year's flows (aggregateFlows) and the
 * series; split per section, each would have to be handed the same aggregates. The steps are numbered by section.
 */

export interface IndicatorParams {
  year: number;
  /** the area the edition is about (see resolveArea) */
  area: Area;
  periodYears: number;
  synthetic: boolean;
  /** how many nationalities the top lists hold */
  topSize?: number;
  /** a municipality's edition: the municipal rows of its whole region (the region's indicators), to compare with */
  regionRows?: MunicipalityValue[];
  /** a municipality's edition: the rule of its disclosure control */
  disclosure?: DisclosureRule;
  /** false: the figures as computed, for the round's pattern (disclosure/round.ts) to hide what it hides; else a
   * municipality's edition is protected alone (its own sums only) */
  disclose?: boolean;
  /** the previous edition's indicators (its indicators.json), for the revisions */
  previous?: Indicators;
  /** the municipalities the tables are on (data/harmonise.ts): the year, and the years recomputed for them */
  geography?: { year: number; recomputed: number[] };
}

/** Class breaks of the municipal map, per 1,000 inhabitants per year (negative and zero are classes of their own). */
export const CLASS_BREAKS = [0, 5, 10, 20];

export const sumBy = <T>(xs: T[], f: (x: T) => number) => xs.reduce((s, x) => s + f(x), 0);

/** A number the edition does not publish (a municipality's counts by nationality): null in indicators.json. */
const hiddenNumber = null as unknown as number;
const hiddenMajority = null as unknown as NationalityValue["majority"];

/** Pure: validated tables in, indicators out. Throws only on a programming error (validation ran before). */
export function computeIndicators(ds: Datasets, p: IndicatorParams): Indicators {
  const { year, area } = p;
  const region = area.region;
  const topSize = p.topSize ?? 10;
  const regionMunis = new Map(area.municipalities.map((m) => [m.nis as string, m]));
  const natGroup = new Map(ds.nationalities.rows.map((r) => [r.code as string, r.group as Group]));

  // 1. long series of the region (and the three regions for section 6)
  const seriesOf = (reg: string): YearTotals[] => {
    const byYear = new Map<number, YearTotals>();
    for (const r of ds.longSeries.rows) {
      if (r.region !== reg || (r.year as number) > year) continue;
      const y = r.year as number;
      const t = byYear.get(y) ?? { year: y, immigration: 0, emigration: 0, balance: 0, breakInSeries: false };
      t[r.direction as Direction] = r.count as number;
      t.breakInSeries = r.break_in_series === 1;
      byYear.set(y, t);
    }
    return [...byYear.values()]
      .map((t) => ({ ...t, balance: t.immigration - t.emigration }))
      .sort((a, b) => a.year - b.year);
  };
  // an area with a long series (a region) uses it; any other area sums its municipalities' flows of the years read
  const agg = (y: number) => aggregateFlows(ds.flows.get(y), regionMunis, natGroup);
  const aggs = new Map<number, FlowAggregate>();
  const aggOf = (y: number) => {
    let a = aggs.get(y);
    if (!a) {
      a = agg(y);
      aggs.set(y, a);
    }
    return a;
  };
  const hasLongSeries = ds.longSeries.rows.some((r) => r.region === area.nis);
  const series = hasLongSeries
    ? seriesOf(area.nis)
    : [...ds.flows.keys()]
        .filter((y) => y <= year)
        .sort()
        .map((y) => {
          const t = aggOf(y).total;
          return {
            year: y,
            immigration: t.immigration,
            emigration: t.emigration,
            balance: t.immigration - t.emigration,
            breakInSeries: false,
          };
        });
  const current = series.find((s) => s.year === year);
  if (!current) throw new Error(`no totals for ${area.nis} in ${year}`);
  const previous = series.filter((s) => s.year === year - 1 || s.year === year - 2);
  const first = series[0]!.year;
  const firstDecade = series.filter((s) => s.year < first + 10);
  const byBalance = [...series].sort((a, b) => b.balance - a.balance || a.year - b.year);

  // 2–5. aggregates of the flow tables (typed columns; see data/flows.ts)
  const cur = aggOf(year);
  const componentValues = (a: FlowAggregate, dir: Direction): ComponentValue[] => {
    const total = a.total[dir];
    return COMPONENTS[dir].map((code) => {
      const count = a.byComponent.get(`${dir}:${code}`) ?? 0;
      return { code, count, share: total ? count / total : 0 };
    });
  };
  const byYear: Indicators["components"]["byYear"] = [];
  // a municipality publishes the components of its edition's year only (each earlier year's would be one more table of
  // small counts linked to its arrondissement's)
  for (const y of [...ds.flows.keys()].sort()) {
    if (area.level === "municipality" && y !== year) continue;
    const a = aggOf(y);
    for (const dir of DIRECTIONS)
      for (const c of componentValues(a, dir)) byYear.push({ year: y, direction: dir, ...c });
  }

  // 3. nationality groups
  const groups = GROUPS;
  const groupRows = groups.map((group) => {
    const immigration = cur.byGroup.get(`immigration:${group}`) ?? 0;
    const emigration = cur.byGroup.get(`emigration:${group}`) ?? 0;
    return {
      group,
      immigration,
      emigration,
      balance: immigration - emigration,
      immigrationShare: current.immigration ? immigration / current.immigration : 0,
    };
  });
  const largestImmigrationGroup = [...groupRows].sort((a, b) => b.immigration - a.immigration)[0]!.group;

  // 4. top nationalities by sex
  const top = (dir: Direction): NationalityValue[] =>
    [...cur.byNationality[dir].entries()]
      .map(([code, v]) => ({ code, ...v, total: v.men + v.women }))
      .sort((a, b) => b.total - a.total || a.code.localeCompare(b.code))
      .slice(0, topSize)
      .map((v, i) => ({
        rank: i + 1,
        code: v.code,
        group: natGroup.get(v.code) ?? "non-EU",
        total: v.total,
        men: v.men,
        women: v.women,
        majority: v.men > v.women ? "men" : v.women > v.men ? "women" : "equal",
      }));
  // a municipality's list names its most frequent nationalities of at least minCount persons, without their numbers:
  // counts by nationality are too small to publish in most municipalities, and each one would tie the municipality
  // to the nationality tables of every area above it (README § Confidentiality across a round)
  const municipal = area.level === "municipality";
  const minCount = (p.disclosure ?? DEFAULT_RULE).minCount;
  const namesOnly = (list: NationalityValue[]): NationalityValue[] =>
    list
      .filter((n) => n.total >= minCount)
      .map((n) => ({ ...n, total: hiddenNumber, men: hiddenNumber, women: hiddenNumber, majority: hiddenMajority }));
  const topImm = municipal ? namesOnly(top("immigration")) : top("immigration");
  const topEm = municipal ? namesOnly(top("emigration")) : top("emigration");
  const totalsBySex = cur.bySex;

  // 5. municipalities over the period: average yearly balance per 1,000 of the mean 1 January population
  const from = year - p.periodYears + 1;
  const popYears = Array.from({ length: p.periodYears + 1 }, (_, i) => from + i);
  const pop = populationOf(ds.population);
  const acc = new Map<string, { immigration: number; emigration: number }>();
  for (const nis of regionMunis.keys()) acc.set(nis, { immigration: 0, emigration: 0 });
  for (let y = from; y <= year; y++) {
    const a = aggOf(y);
    for (const [nis, v] of a.byMunicipality) {
      const t = acc.get(nis)!;
      t.immigration += v.immigration;
      t.emigration += v.emigration;
    }
  }
  const muniRows: MunicipalityValue[] = [...acc.entries()]
    .map(([nis, a]) => {
      const averagePopulation = sumBy(popYears, (y) => pop.get(`${y}|${nis}`) ?? 0) / popYears.length;
      const balance = a.immigration - a.emigration;
      return {
        nis,
        name: regionMunis.get(nis)!.name_nl as string,
        ...a,
        balance,
        averagePopulation,
        ratePer1000: averagePopulation ? (balance / p.periodYears / averagePopulation) * 1000 : 0,
        // the rule every edition states: a rate of few inhabitants or few movements is not reliable
        reliable: rateReliable(p.disclosure ?? DEFAULT_RULE, averagePopulation, a.immigration + a.emigration),
        rank: 0,
      };
    })
    .sort((a, b) => b.ratePer1000 - a.ratePer1000 || a.nis.localeCompare(b.nis));
  muniRows.forEach((m, i) => {
    m.rank = i + 1;
  });
  const threshold = CLASS_BREAKS.at(-1)!;
  // the lists that name municipalities by their rate name only those whose rate is reliable
  const topClass = muniRows.filter((m) => m.reliable && m.ratePer1000 > threshold).map((m) => m.nis);
  // 6. three regions: the balance per 1,000 inhabitants (mean of the populations on 1 January of the year and the
  // next), and the statements about the shapes of the rates (trends.ts)
  const regionCodes = [...new Set(ds.longSeries.rows.map((r) => r.region as string))].sort();
  const popOf = populationOf(ds.population);
  const regionSeries = regionCodes.flatMap((reg) =>
    seriesOf(reg).map((s) => {
      const population = ((popOf.get(`${s.year}|${reg}`) ?? 0) + (popOf.get(`${s.year + 1}|${reg}`) ?? 0)) / 2;
      return {
        year: s.year,
        region: reg,
        immigration: s.immigration,
        emigration: s.emigration,
        balance: s.balance,
        breakInSeries: s.breakInSeries,
        population,
        ratePer1000: population ? (s.balance / population) * 1000 : 0,
      };
    }),
  );
  const positiveSince: Record<string, number | null> = {};
  const ratePoints: Record<string, Point[]> = {};
  for (const reg of regionCodes) {
    const s = regionSeries.filter((r) => r.region === reg);
    let since: number | null = null;
    for (let i = s.length - 1; i >= 0 && s[i]!.balance > 0; i--) since = s[i]!.year;
    positiveSince[reg] = since;
    ratePoints[reg] = s.map((r) => ({ year: r.year, value: r.ratePer1000, break: r.breakInSeries }));
  }
  const shapes = Object.fromEntries(regionCodes.map((reg) => [reg, shapeOf(ratePoints[reg]!)]));

  // 7. EU comparison: the latest year up to the edition year with the region present
  const regionGeo = NUTS_OF_REGION[area.level === "region" || area.level === "country" ? area.nis : region] ?? region;
  // rows with both figures (an empty cell is Eurostat's `:`, not available)
  const euComplete = ds.euComparison.rows.filter((r) => r.immigrations !== undefined && r.population !== undefined);
  const euYears = [
    ...new Set(
      euComplete
        // Eurostat publishes a year about 18 months after it ends: the edition compares the latest year before its own
        .filter((r) => r.geo === regionGeo && (r.year as number) < year)
        .map((r) => r.year as number),
    ),
  ];
  const euYear = euYears.length ? Math.max(...euYears) : null;
  const kindOf = new Map(ds.euGeo.rows.map((r) => [r.geo as string, r.kind as EuValue["kind"]]));
  const letters = (s: string) => [...new Set(s)].sort().join("");
  const euRows: EuValue[] = euComplete
    .filter((r) => r.year === euYear)
    .map((r) => ({
      geo: r.geo as string,
      kind: kindOf.get(r.geo as string) ?? "country",
      immigrations: r.immigrations as number,
      population: r.population as number,
      ratePer1000: ((r.immigrations as number) / (r.population as number)) * 1000,
      immigrationsFlag: (r.immigrations_flag as string | undefined) ?? "",
      populationFlag: (r.population_flag as string | undefined) ?? "",
      flags: letters(`${r.immigrations_flag ?? ""}${r.population_flag ?? ""}`),
    }))
    .sort((a, b) => b.ratePer1000 - a.ratePer1000 || a.geo.localeCompare(b.geo));
  euRows
    .filter((r) => r.kind === "country")
    .forEach((r, i) => {
      r.rank = i + 1;
    });

  // labels of every code the indicators mention
  const label = (r: Row): Label => ({
    nl: r.name_nl as string,
    en: r.name_en as string,
    ...(r.adjective_nl ? { adjective_nl: r.adjective_nl as string } : {}),
    ...(r.adjective_en ? { adjective_en: r.adjective_en as string } : {}),
  });
  const used = new Set([...topImm, ...topEm].map((n) => n.code));
  const ind: Indicators = {
    meta: {
      year,
      area: area.nis,
      areaLevel: area.level,
      region,
      seriesSource: hasLongSeries ? "long-series" : "flows",
      synthetic: p.synthetic,
      period: { from, to: year, years: p.periodYears },
      eu27Since: EU27_SINCE,
      populationBasis: `mean of the populations on 1 January ${popYears[0]}–${popYears.at(-1)}`,
      flowYears: [...ds.flows.keys()].sort(),
      // the latest import of each dataset into each table (every table is used by every edition)
      provenance: [
        ...new Map(
          ds.provenance.map((e) => [
            `${e.table}|${e.dataset}`,
            {
              table: e.table,
              source: e.source,
              dataset: e.dataset,
              file: e.file,
              ...(e.lastUpdate ? { lastUpdate: e.lastUpdate } : {}),
              imported: e.imported,
            },
          ]),
        ).values(),
      ],
    },
    headline: {
      ...current,
      previous,
      immigrationLowerThanAllPrevious: previous.every((s) => current.immigration < s.immigration),
      immigrationHigherThanAllPrevious: previous.every((s) => current.immigration > s.immigration),
      balanceLowerThanAllPrevious: previous.every((s) => current.balance < s.balance),
      balanceHigherThanAllPrevious: previous.every((s) => current.balance > s.balance),
    },
    series,
    seriesFacts: {
      first,
      breakYears: series.filter((s) => s.breakInSeries).map((s) => s.year),
      breaks: series.filter((s) => s.breakInSeries).map((s) => ({ year: s.year, balance: s.balance })),
      start: series[0]!,
      firstDecade: {
        from: first,
        to: firstDecade.at(-1)!.year,
        meanBalance: sumBy(firstDecade, (s) => s.balance) / firstDecade.length,
      },
      maxBalance: { year: byBalance[0]!.year, value: byBalance[0]!.balance },
      minBalance: { year: byBalance.at(-1)!.year, value: byBalance.at(-1)!.balance },
      riseSince: riseOnset(series.map((s) => ({ year: s.year, value: s.balance, break: s.breakInSeries }))),
    },
    components: {
      year,
      from: Math.min(...byYear.map((b) => b.year)),
      to: year,
      immigration: componentValues(cur, "immigration"),
      emigration: componentValues(cur, "emigration"),
      byYear,
    },
    nationalityGroups: { year, rows: groupRows, largestImmigrationGroup },
    topNationalities: {
      year,
      size: topSize,
      ...(municipal ? { minTotal: minCount, counts: false } : {}),
      immigration: topImm,
      emigration: topEm,
      womenMajority: {
        immigration: topImm.filter((n) => n.majority === "women").map((n) => n.code),
        emigration: topEm.filter((n) => n.majority === "women").map((n) => n.code),
      },
      totalsBySex,
    },
    municipalities: {
      from,
      to: year,
      geography: {
        year: p.geography?.year ?? year,
        recomputed: (p.geography?.recomputed ?? []).filter((y) => y >= from && y <= year),
      },
      rows: muniRows,
      count: muniRows.length,
      populationYears: { from: popYears[0]!, to: popYears.at(-1)! },
      populationDates: popYears,
      negative: muniRows.filter((m) => m.reliable && m.balance < 0).map((m) => m.nis),
      zero: muniRows.filter((m) => m.reliable && m.balance === 0).map((m) => m.nis),
      positive: muniRows.filter((m) => m.balance > 0).length,
      classBreaks: CLASS_BREAKS,
      topClass: { threshold, members: topClass },
      highest: muniRows
        .filter((m) => m.reliable)
        .slice(0, Math.max(2, topClass.length))
        .map((m) => m.nis),
      unreliable: muniRows.filter((m) => !m.reliable).map((m) => m.nis),
      // what the round's pattern hides (disclosure/apply.ts): none yet
      notPublished: [],
      published: muniRows.length,
    },
    regions: {
      series: regionSeries,
      positiveSince,
      first: Math.min(...regionSeries.map((r) => r.year)),
      shapes,
      steadyRise: regionCodes.filter((r) => shapes[r]!.steadyRise),
      risingWithFalls: regionCodes.filter((r) => shapes[r]!.risingWithFalls),
      highlyVariable: regionCodes.filter((r) => shapes[r]!.highlyVariable),
      muchHigher: muchHigher(ratePoints),
      thresholds: { steadyMax: STEADY_MAX, variableMin: VARIABLE_MIN, muchHigherFactor: MUCH_HIGHER_FACTOR },
    },
    eu: {
      year: euYear,
      flags: letters(euRows.map((r) => r.flags).join("")),
      rows: euRows,
      regionGeo,
      countries: euRows.filter((r) => r.kind === "country").length,
    },
    labels: {
      regions: Object.fromEntries(
        ds.areas.rows
          .filter((r) => r.level === "region" || r.level === "country")
          .map((r) => [r.nis as string, label(r)]),
      ),
      area: area.label,
      components: Object.fromEntries(ds.components.rows.map((r) => [`${r.direction}:${r.code}`, label(r)])),
      nationalities: Object.fromEntries(
        ds.nationalities.rows.filter((r) => used.has(r.code as string)).map((r) => [r.code as string, label(r)]),
      ),
      eu: Object.fromEntries(ds.euGeo.rows.map((r) => [r.geo as string, label(r)])),
    },
    revisions: null,
  };
  ind.revisions = p.previous ? compareEditions(p.previous, ind) : null;
  if (area.level === "municipality" && p.regionRows) {
    ind.local = localComparison(area, ds, p.regionRows, p.periodYears, p.disclosure ?? DEFAULT_RULE);
    return p.disclose === false ? ind : discloseIndicators(ind, p.disclosure ?? DEFAULT_RULE);
  }
  return ind;
}

interface FlowAggregate {
  total: Record<Direction, number>;
  byComponent: Map<string, number>;
  byGroup: Map<string, number>;
  byNationality: Record<Direction, Map<string, { men: number; women: number }>>;
  bySex: Record<Direction, { men: number; women: number }>;
  byMunicipality: Map<string, { immigration: number; emigration: number }>;
}

/** One pass over a year's flow columns, restricted to the region's municipalities. */
const populations = new WeakMap<object, Map<string, number>>();
/** `year|nis` → population, made once per table (a round computes 328 areas from the same tables) */
function populationOf(t: Datasets["population"]): Map<string, number> {
  let m = populations.get(t);
  if (!m) {
    m = new Map(t.rows.map((r) => [`${r.year}|${r.nis}`, r.population as number]));
    populations.set(t, m);
  }
  return m;
}

const byMunicipality = new WeakMap<FlowTable, { start: Uint32Array; rows: Uint32Array }>();
/** The lines of each municipality of a flow table (by its dictionary index), in the order of the table; made once. */
function linesByMunicipality(t: FlowTable) {
  let x = byMunicipality.get(t);
  if (!x) {
    const n = t.dict.nis.codes.length;
    const start = new Uint32Array(n + 1);
    for (let i = 0; i < t.length; i++) start[t.nis[i]! + 1]!++;
    for (let m = 0; m < n; m++) start[m + 1]! += start[m]!;
    const at = start.slice(0, n);
    const rows = new Uint32Array(t.length);
    for (let i = 0; i < t.length; i++) rows[at[t.nis[i]!]!++] = i;
    x = { start, rows };
    byMunicipality.set(t, x);
  }
  return x;
}

function aggregateFlows(
  t: FlowTable | undefined,
  regionMunis: Map<string, Row>,
  natGroup: Map<string, Group>,
): FlowAggregate {
  const a: FlowAggregate = {
    total: { immigration: 0, emigration: 0 },
    byComponent: new Map(),
    byGroup: new Map(),
    byNationality: { immigration: new Map(), emigration: new Map() },
    bySex: { immigration: { men: 0, women: 0 }, emigration: { men: 0, women: 0 } },
    byMunicipality: new Map(),
  };
  if (!t) return a;
  const d = t.dict;
  const inRegion = d.nis.codes.map((n) => regionMunis.has(n));
  const dirs = d.direction.codes as Direction[];
  const isMan = d.sex.codes.map((s) => s === "M");
  // dense accumulators by dictionary index, turned into maps at the end
  const nD = dirs.length;
  const comp = new Float64Array(nD * d.component.codes.length);
  const nat = new Float64Array(nD * d.nationality.codes.length * 2);
  const muni = new Float64Array(nD * d.nis.codes.length);
  const add = (i: number) => {
    const m = t.nis[i]!;
    const dir = t.direction[i]!;
    const c = t.count[i]!;
    comp[dir * d.component.codes.length + t.component[i]!]! += c;
    nat[(dir * d.nationality.codes.length + t.nationality[i]!) * 2 + (isMan[t.sex[i]!] ? 0 : 1)]! += c;
    muni[dir * d.nis.codes.length + m]! += c;
  };
  // an area of a few municipalities reads only their lines (a round computes 328 areas from the same tables)
  const wanted = inRegion.reduce((n, x) => n + (x ? 1 : 0), 0);
  if (wanted < d.nis.codes.length / 4) {
    const { start, rows } = linesByMunicipality(t);
    inRegion.forEach((inside, m) => {
      if (inside) for (let j = start[m]!; j < start[m + 1]!; j++) add(rows[j]!);
    });
  } else for (let i = 0; i < t.length; i++) if (inRegion[t.nis[i]!]) add(i);
  dirs.forEach((dir, k) => {
    if (dir !== "immigration" && dir !== "emigration") return;
    d.component.codes.forEach((code, j) => {
      const v = comp[k * d.component.codes.length + j]!;
      if (v) a.byComponent.set(`${dir}:${code}`, v);
      a.total[dir] += v;
    });
    d.nationality.codes.forEach((code, j) => {
      const base = (k * d.nationality.codes.length + j) * 2;
      const men = nat[base]!;
      const women = nat[base + 1]!;
      if (!men && !women) return;
      a.byNationality[dir].set(code, { men, women });
      a.bySex[dir].men += men;
      a.bySex[dir].women += women;
      const g = `${dir}:${natGroup.get(code) ?? "non-EU"}`;
      a.byGroup.set(g, (a.byGroup.get(g) ?? 0) + men + women);
    });
    d.nis.codes.forEach((code, j) => {
      if (!inRegion[j]) return;
      const v = muni[k * d.nis.codes.length + j]!;
      const e = a.byMunicipality.get(code) ?? { immigration: 0, emigration: 0 };
      e[dir] += v;
      a.byMunicipality.set(code, e);
    });
  });
  return a;
}
