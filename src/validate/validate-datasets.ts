import { distance } from "fastest-levenshtein";
import { COMPONENTS, DIRECTIONS, GROUPS } from "../core/domain.ts";
import type { Row, Table } from "../data/csv.ts";
import { harmonise } from "../data/harmonise.ts";
import { FLAGS as EUROSTAT_FLAGS } from "../data/import/eurostat.ts";
import type { Datasets } from "../data/read-datasets.ts";
import { problem } from "../errors/messages.ts";
import type { Problem } from "../errors/problem.ts";
import { checkFlows } from "./validate-flows.ts";
import { validateGeography } from "./validate-geography.ts";

/*
 * The tables against the contract and against each other: one check per table or cross-check, in the order
 * data/README.md lists them (unique keys, the code lists, the flows, the long series, the population, the EU
 * comparison), each worded by the catalogue (errors/messages.ts). The flows' checks are in validate-flows.ts.
 * Why one file: the checks of the small tables, one function each, read in the order of the data contract.
 */

import type { Check, ValidateParams } from "./check.ts";

export type { ValidateParams } from "./check.ts";

/** The checks, in the order their problems are listed. */
const CHECKS: ((c: Check) => void)[] = [
  uniqueKeys,
  codeLists,
  (c) => c.out.push(...validateGeography(c.ds, { year: c.p.year, geography: c.p.geography ?? c.p.year })),
  (c) => checkFlows(c, { suggestNationality }),
  longSeries,
  population,
  euComparison,
];

/** Checks the tables against the contract and against each other; returns every problem (never throws). */
export function validateDatasets(ds: Datasets, p: ValidateParams): Problem[] {
  const out: Problem[] = [];
  const c: Check = {
    ds,
    p,
    out,
    // every problem is worded by the catalogue (errors/messages.ts); here only where and with what
    err: (t, row, rule, params, column) =>
      out.push(
        problem(rule, { file: t.file, ...(row ? { line: row.line } : {}), ...(column ? { column } : {}) }, params),
      ),
    areaCodes: new Set(ds.areas.rows.map((r) => r.nis as string)),
    muniByNis: new Map(ds.municipalities.rows.map((r) => [r.nis as string, r])),
    componentsBy: new Map(),
  };
  for (const check of CHECKS) check(c);
  return out;
}

/** Unique keys: one line per key in every table (the flows: validate-flows.ts). */
function uniqueKeys(c: Check) {
  const { ds, err } = c;
  const keys: [Table, string[]][] = [
    [ds.municipalities, ["nis"]],
    [ds.areas, ["nis"]],
    [ds.nationalities, ["code"]],
    [ds.components, ["direction", "code"]],
    [ds.euGeo, ["geo"]],
    [ds.longSeries, ["year", "region", "direction"]],
    [ds.population, ["year", "nis", "geography"]],
    [ds.euComparison, ["year", "geo"]],
    [ds.crosswalk, ["nis_old"]],
  ];
  // a population line's geography is its year unless it says otherwise
  const cell = (r: Row, c: string) => r[c] ?? (c === "geography" ? r.year : "");
  for (const [t, cols] of keys) {
    const seen = new Map<string, number>();
    for (const r of t.rows) {
      const values = cols.map((c) => cell(r, c));
      const k = values.join("|");
      const first = seen.get(k);
      if (first !== undefined) err(t, r, "duplicate-key", { key: cols.join(" × "), values: values.join(", "), first });
      else seen.set(k, r.line);
    }
  }
}

/** The code lists: every area code known and of its level, one parent per area, the groups and the components. */
function codeLists(c: Check) {
  const { ds, err } = c;
  const { areaCodes, componentsBy } = c;
  for (const r of ds.municipalities.rows)
    for (const col of ["arrondissement", "province", "region"])
      if (!areaCodes.has(r[col] as string))
        err(ds.municipalities, r, "unknown-code/area", {
          column: col,
          value: r[col],
          name: r.name_nl,
          areas: ds.areas.file,
        });
  // the hierarchy adds up: an arrondissement lies in one province, a province in one region, each code of its level
  const levelOf = new Map(ds.areas.rows.map((r) => [r.nis as string, r.level as string]));
  const upOf = new Map<string, { value: string; line: number }>();
  for (const r of ds.municipalities.rows) {
    for (const col of ["arrondissement", "province", "region"]) {
      const level = levelOf.get(r[col] as string);
      // Brussels' municipalities lie in no province: their province column holds the region's code
      if (level && level !== col && !(col === "province" && level === "region"))
        err(ds.municipalities, r, "bad-level", {
          column: col,
          value: r[col],
          name: r.name_nl,
          level,
          areas: ds.areas.file,
        });
    }
    for (const [child, parent] of [
      ["arrondissement", "province"],
      ["province", "region"],
    ] as const) {
      const key = `${child}|${r[child]}`;
      const seenUp = upOf.get(key);
      if (!seenUp) upOf.set(key, { value: r[parent] as string, line: r.line });
      else if (seenUp.value !== r[parent])
        err(ds.municipalities, r, "bad-hierarchy", {
          name: r.name_nl,
          child: r[child],
          childColumn: child,
          parentColumn: parent,
          value: r[parent],
          other: seenUp.value,
          first: seenUp.line,
        });
    }
  }
  for (const r of ds.nationalities.rows)
    if (!(GROUPS as readonly string[]).includes(r.group as string))
      err(ds.nationalities, r, "bad-group", { group: r.group, code: r.code, known: GROUPS });
  for (const r of ds.components.rows) {
    if (!(DIRECTIONS as readonly string[]).includes(r.direction as string))
      err(ds.components, r, "bad-direction", { direction: r.direction });
    const set = componentsBy.get(r.direction as string) ?? new Set();
    set.add(r.code as string);
    componentsBy.set(r.direction as string, set);
  }
  if (ds.components.rows.length)
    for (const d of DIRECTIONS)
      for (const c of COMPONENTS[d])
        if (!componentsBy.get(d)?.has(c))
          err(ds.components, undefined, "missing-component", { component: c, direction: d, known: COMPONENTS[d] });
}

/** The long series: every year from the first to the edition year, both directions, one break flag per year. */
function longSeries(c: Check) {
  const { ds, p, err } = c;
  const { areaCodes } = c;
  const byRegion = new Map<string, Row[]>();
  for (const r of ds.longSeries.rows) {
    if (!areaCodes.has(r.region as string))
      err(ds.longSeries, r, "unknown-code/region", { region: r.region, areas: ds.areas.file }, 2);
    if (!(DIRECTIONS as readonly string[]).includes(r.direction as string))
      err(ds.longSeries, r, "bad-direction", { direction: r.direction }, 3);
    const rows = byRegion.get(r.region as string) ?? [];
    rows.push(r);
    byRegion.set(r.region as string, rows);
  }
  if (ds.longSeries.rows.length && !byRegion.has(p.region))
    err(ds.longSeries, undefined, "missing-region", { region: p.region });
  for (const [region, rows] of byRegion) {
    const first = Math.min(...rows.map((r) => r.year as number));
    for (let y = first; y <= p.year; y++)
      for (const d of DIRECTIONS)
        if (!rows.some((r) => r.year === y && r.direction === d))
          err(ds.longSeries, undefined, "missing-year", { direction: d, year: y, region, first, last: p.year });
  }
  const flagOf = new Map<number, Row>();
  for (const r of ds.longSeries.rows) {
    const f = flagOf.get(r.year as number);
    if (f && f.break_in_series !== r.break_in_series)
      err(ds.longSeries, r, "inconsistent-break", { year: r.year, first: f.line }, 5);
    else if (!f) flagOf.set(r.year as number, r);
  }
}

/** The population: every municipality of the region on 1 January of each period year and the year after, adding up to the region; every region of the long series for each of its years. */
function population(c: Check) {
  const { ds, p, err } = c;
  const { areaCodes, muniByNis } = c;
  const geography = p.geography ?? p.year;
  const popYears = [...p.periodYears, (p.periodYears.at(-1) ?? p.year) + 1];
  // completeness and sums on the edition's municipalities, the populations of earlier geographies added up to them
  const onGeography = harmonise(ds, geography).datasets;
  const editionMunis = onGeography.municipalities.rows.filter((r) => r.region === p.region);
  const pop = new Map(onGeography.population.rows.map((r) => [`${r.year}|${r.nis}`, r]));
  for (const r of ds.population.rows)
    if (!muniByNis.has(r.nis as string) && !areaCodes.has(r.nis as string))
      err(ds.population, r, "unknown-code/population", { nis: r.nis }, 2);
  for (const y of popYears) {
    let sum = 0;
    let complete = true;
    for (const m of editionMunis) {
      const row = pop.get(`${y}|${m.nis}`);
      if (!row) {
        complete = false;
        err(ds.population, undefined, "missing-municipality/population", {
          name: m.name_nl,
          nis: m.nis,
          year: y,
          period: `${p.periodYears[0]}–${p.periodYears.at(-1)}`,
        });
      } else sum += row.population as number;
    }
    const reg = pop.get(`${y}|${p.region}`);
    if (complete && reg && reg.population !== sum)
      err(
        ds.population,
        reg,
        "totals-mismatch/population",
        { region: p.region, year: y, value: reg.population, sum },
        3,
      );
  }

  // -- population: every region of the long series on 1 January of each of its years up to the edition year and
  // of the year after (figure 6 is per 1,000 inhabitants); one problem per region, its missing years as ranges
  const seriesYears = new Map<string, Set<number>>();
  for (const r of ds.longSeries.rows)
    if ((r.year as number) <= p.year) {
      const ys = seriesYears.get(r.region as string) ?? new Set<number>();
      ys.add(r.year as number).add((r.year as number) + 1);
      seriesYears.set(r.region as string, ys);
    }
  for (const [region, ys] of [...seriesYears].sort()) {
    const missing = [...ys].filter((y) => !pop.has(`${y}|${region}`)).sort((a, b) => a - b);
    if (missing.length) err(ds.population, undefined, "missing-region/population", { region, years: ranges(missing) });
  }
}

/** The EU comparison: known areas, a population, Eurostat's flags, Belgium the sum of its regions. */
function euComparison(c: Check) {
  const { ds, err } = c;
  const geo = new Set(ds.euGeo.rows.map((r) => r.geo as string));
  const eu = new Map(ds.euComparison.rows.map((r) => [`${r.year}|${r.geo}`, r]));
  for (const r of ds.euComparison.rows) {
    if (!geo.has(r.geo as string))
      err(
        ds.euComparison,
        r,
        "unknown-code/eu-geo",
        { geo: r.geo, euGeo: ds.euGeo.file, suggestion: didYouMeanHint(r.geo as string, geo) },
        2,
      );
    if (r.population === 0) err(ds.euComparison, r, "zero-population", { geo: r.geo, year: r.year }, 4);
    for (const [column, at] of [
      ["immigrations_flag", 5],
      ["population_flag", 6],
    ] as const) {
      const bad = [...String(r[column] ?? "")].find((f) => !EUROSTAT_FLAGS[f]);
      if (bad)
        err(
          ds.euComparison,
          r,
          "unknown-flag",
          { flag: bad, column, known: Object.keys(EUROSTAT_FLAGS).join(", ") },
          at,
        );
    }
  }
  for (const y of new Set(ds.euComparison.rows.map((r) => r.year as number))) {
    const be = eu.get(`${y}|BE`);
    const parts = ["BE1", "BE2", "BE3"].map((g) => eu.get(`${y}|${g}`));
    if (be && parts.every((r) => r && r.immigrations !== undefined && r.population !== undefined))
      for (const col of ["immigrations", "population"]) {
        const sum = parts.reduce((s, r) => s + ((r?.[col] as number) ?? 0), 0);
        if (sum !== be[col])
          err(ds.euComparison, be, "totals-mismatch/belgium", { column: col, year: y, value: be[col], sum });
      }
  }
}

export function suggestNationality(code: string, t: Table): string {
  const upper = code.toUpperCase();
  const exact = t.rows.find(
    (r) =>
      r.code === upper ||
      String(r.name_en).toLowerCase() === code.toLowerCase() ||
      String(r.name_nl).toLowerCase() === code.toLowerCase(),
  );
  if (exact) return `did you mean ${exact.code} (${exact.name_en})?`;
  const near = t.rows.filter((r) => distance(String(r.code), upper) === 1).slice(0, 3);
  return near.length
    ? `did you mean ${near.map((r) => `${r.code} (${r.name_en})`).join(", ")}?`
    : "use an ISO 3166 alpha-2 code from the nationality list (XX stateless, ZZ unknown)";
}

function didYouMeanHint(value: string, known: Set<string>): string {
  let best: string | undefined;
  let d = 3;
  for (const k of known) {
    const e = distance(value.toUpperCase(), k);
    if (e < d) {
      d = e;
      best = k;
    }
  }
  return best ? `did you mean ${best}?` : `use one of: ${[...known].join(", ")}`;
}

/** 1990, 1991, 1992, 1995 → "1990–1992, 1995" */
function ranges(ys: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < ys.length; ) {
    let j = i;
    while (j + 1 < ys.length && ys[j + 1] === ys[j]! + 1) j++;
    out.push(j > i ? `${ys[i]}–${ys[j]}` : String(ys[i]));
    i = j + 1;
  }
  return out.join(", ");
}
