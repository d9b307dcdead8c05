import { COMPONENTS, DIRECTIONS, GROUPS } from "../core/domain.ts";
import type { Row } from "../data/csv.ts";
import type { Datasets } from "../data/read-datasets.ts";
import { aggregateFlows, type FlowAggregate, populationOf } from "./aggregate.ts";
import type { Area } from "./area.ts";
import { DEFAULT_RULE, rateReliable } from "./disclosure.ts";
import { riseOnset } from "./trends.ts";
import type {
  ComponentValue,
  Direction,
  Group,
  Indicators,
  MunicipalityValue,
  NationalityValue,
  YearTotals,
} from "./types.ts";

/*
 * The indicators of sections 1–5, one function each (compute-indicators.ts puts them together): the series and the
 * headline, the components, the nationality groups, the most frequent nationalities, the municipalities over the
 * period. Why one file: they share one `SectionInput` (the tables, the request, and each year's flows summed once
 * for the area), and read in the order of the edition's sections.
 */

/** What every section reads. */
export interface SectionInput {
  ds: Datasets;
  p: IndicatorParamsLike;
  year: number;
  area: Area;
  /** the area's municipalities by NIS code */
  regionMunis: Map<string, Row>;
  natGroup: Map<string, Group>;
  /** the flows of year `y` summed for the area (made once per year) */
  aggOf(y: number): FlowAggregate;
  /** the long series of a region (its totals by year up to the edition's year) */
  seriesOf(reg: string): YearTotals[];
}

/** The part of the request the sections read (compute-indicators.ts: IndicatorParams). */
export interface IndicatorParamsLike {
  periodYears: number;
  topSize?: number;
  disclosure?: { minCount: number; rateMinPopulation: number; rateMinEvents: number };
  geography?: { year: number; recomputed: number[] };
}

/** Class breaks of the municipal map, per 1,000 inhabitants per year (negative and zero are classes of their own). */
export const CLASS_BREAKS = [0, 5, 10, 20];

export const sumBy = <T>(xs: T[], f: (x: T) => number) => xs.reduce((s, x) => s + f(x), 0);

/** A number the edition does not publish (a municipality's counts by nationality): null in indicators.json. */
const hiddenNumber = null as unknown as number;
const hiddenMajority = null as unknown as NationalityValue["majority"];

/** The input of the sections for an area's edition. */
export function sectionInput(ds: Datasets, p: IndicatorParamsLike & { year: number; area: Area }): SectionInput {
  const { year, area } = p;
  const regionMunis = new Map(area.municipalities.map((m) => [m.nis as string, m]));
  const natGroup = new Map(ds.nationalities.rows.map((r) => [r.code as string, r.group as Group]));
  const aggs = new Map<number, FlowAggregate>();
  return {
    ds,
    p,
    year,
    area,
    regionMunis,
    natGroup,
    aggOf: (y) => {
      let a = aggs.get(y);
      if (!a) {
        a = aggregateFlows(ds.flows.get(y), regionMunis, natGroup);
        aggs.set(y, a);
      }
      return a;
    },
    seriesOf: (reg) => {
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
    },
  };
}

/** 1. The series (a region's long series, any other area's flows of the years read), the headline and its facts. */
export function seriesSection(c: SectionInput) {
  const { ds, year, area } = c;
  // an area with a long series (a region) uses it; any other area sums its municipalities' flows of the years read
  const hasLongSeries = ds.longSeries.rows.some((r) => r.region === area.nis);
  const series = hasLongSeries
    ? c.seriesOf(area.nis)
    : [...ds.flows.keys()]
        .filter((y) => y <= year)
        .sort()
        .map((y) => {
          const t = c.aggOf(y).total;
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
  const headline: Indicators["headline"] = {
    ...current,
    previous,
    immigrationLowerThanAllPrevious: previous.every((s) => current.immigration < s.immigration),
    immigrationHigherThanAllPrevious: previous.every((s) => current.immigration > s.immigration),
    balanceLowerThanAllPrevious: previous.every((s) => current.balance < s.balance),
    balanceHigherThanAllPrevious: previous.every((s) => current.balance > s.balance),
  };
  const seriesFacts: Indicators["seriesFacts"] = {
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
  };
  return { hasLongSeries, series, current, headline, seriesFacts };
}

/** 2. The components of the year, and of every year read (a municipality: of its edition's year only). */
export function componentsSection(c: SectionInput): Indicators["components"] {
  const { ds, year, area } = c;
  const cur = c.aggOf(year);
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
    const a = c.aggOf(y);
    for (const dir of DIRECTIONS)
      for (const v of componentValues(a, dir)) byYear.push({ year: y, direction: dir, ...v });
  }
  return {
    year,
    from: Math.min(...byYear.map((b) => b.year)),
    to: year,
    immigration: componentValues(cur, "immigration"),
    emigration: componentValues(cur, "emigration"),
    byYear,
  };
}

/** 3. The nationality groups of the year. */
export function groupsSection(c: SectionInput, current: YearTotals): Indicators["nationalityGroups"] {
  const cur = c.aggOf(c.year);
  const rows = GROUPS.map((group) => {
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
  const largestImmigrationGroup = [...rows].sort((a, b) => b.immigration - a.immigration)[0]!.group;
  return { year: c.year, rows, largestImmigrationGroup };
}

/** 4. The most frequent nationalities by sex (a municipality: their names only, see below). */
export function topSection(c: SectionInput): Indicators["topNationalities"] {
  const { year, area, p } = c;
  const cur = c.aggOf(year);
  const topSize = p.topSize ?? 10;
  const top = (dir: Direction): NationalityValue[] =>
    [...cur.byNationality[dir].entries()]
      .map(([code, v]) => ({ code, ...v, total: v.men + v.women }))
      .sort((a, b) => b.total - a.total || a.code.localeCompare(b.code))
      .slice(0, topSize)
      .map((v, i) => ({
        rank: i + 1,
        code: v.code,
        group: c.natGroup.get(v.code) ?? "non-EU",
        total: v.total,
        men: v.men,
        women: v.women,
        majority: v.men > v.women ? "men" : v.women > v.men ? "women" : "equal",
      }));
  // a municipality's list names its most frequent nationalities of at least minCount persons, without their numbers:
  // counts by nationality are too small to publish in most municipalities, and each one would tie the municipality
  // to the nationality tables of every area above it (README § Confidentiality)
  const municipal = area.level === "municipality";
  const minCount = (p.disclosure ?? DEFAULT_RULE).minCount;
  const namesOnly = (list: NationalityValue[]): NationalityValue[] =>
    list
      .filter((n) => n.total >= minCount)
      .map((n) => ({ ...n, total: hiddenNumber, men: hiddenNumber, women: hiddenNumber, majority: hiddenMajority }));
  const topImm = municipal ? namesOnly(top("immigration")) : top("immigration");
  const topEm = municipal ? namesOnly(top("emigration")) : top("emigration");
  return {
    year,
    size: topSize,
    ...(municipal ? { minTotal: minCount, counts: false } : {}),
    immigration: topImm,
    emigration: topEm,
    womenMajority: {
      immigration: topImm.filter((n) => n.majority === "women").map((n) => n.code),
      emigration: topEm.filter((n) => n.majority === "women").map((n) => n.code),
    },
    totalsBySex: cur.bySex,
  };
}

/** 5. The municipalities over the period: average yearly balance per 1,000 of the mean 1 January population. */
export function municipalitiesSection(c: SectionInput): Indicators["municipalities"] {
  const { ds, year, p } = c;
  const from = year - p.periodYears + 1;
  const popYears = Array.from({ length: p.periodYears + 1 }, (_, i) => from + i);
  const pop = populationOf(ds.population);
  const acc = new Map<string, { immigration: number; emigration: number }>();
  for (const nis of c.regionMunis.keys()) acc.set(nis, { immigration: 0, emigration: 0 });
  for (let y = from; y <= year; y++) {
    const a = c.aggOf(y);
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
        name: c.regionMunis.get(nis)!.name_nl as string,
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
  return {
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
  };
}
