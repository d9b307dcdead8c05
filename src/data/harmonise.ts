import type { Row, Table } from "./csv.ts";
import type { FlowTable } from "./flows.ts";
import type { Datasets } from "./read-datasets.ts";

/*
 * Municipal geographies. A municipality's NIS code is valid from 1 January of `valid_from` to 31 December of
 * `valid_to` (codes/municipalities.csv; empty = open). When municipalities merge, the crosswalk (codes/crosswalk.csv)
 * sends each old code to its new one from the year `since` (Gooik 23024 → Pajottegem 23106 since 2025; a merger is
 * several rows to one code; a municipality that absorbs another keeps its code and has no row of its own).
 *
 * An edition uses the municipalities in force in one year, its geography (the observation year unless config.yml
 * says otherwise). `harmonise` puts every table on that geography: flows and populations registered under older codes
 * are added up under the new code they belong to. Mergers add up exactly; splits cannot be undone, so data are never
 * moved to an older geography (a later code in a year before the geography stays as it is, and is reported by the
 * validation).
 */

/** Whether a municipality row's code is valid in `year`. */
export const validIn = (row: Row, year: number): boolean =>
  ((row.valid_from as number | undefined) ?? Number.NEGATIVE_INFINITY) <= year &&
  year <= ((row.valid_to as number | undefined) ?? Number.POSITIVE_INFINITY);

/**
 * Old code → code of the geography of year `to`, for data in the municipalities of year `from`: the crosswalk rows
 * with from < since ≤ to, applied in the order of `since` (so two successive mergers chain). Codes that do not change
 * are not in the map.
 */
export function codeMap(crosswalk: Table, from: number, to: number): Map<string, string> {
  const steps = crosswalk.rows
    .filter((r) => (r.since as number) > from && (r.since as number) <= to)
    .sort((a, b) => (a.since as number) - (b.since as number));
  const out = new Map<string, string>();
  for (const s of steps) {
    const [old, to_] = [s.nis_old as string, s.nis_new as string];
    // codes already sent to `old` follow it
    for (const [k, v] of out) if (v === old) out.set(k, to_);
    out.set(old, to_);
  }
  return out;
}

/** A flow table with its municipality codes put through `map` (the columns are shared; only the codes change). */
function remapFlows(t: FlowTable, map: Map<string, string>): FlowTable {
  const codes = t.dict.nis.codes;
  if (!codes.some((c) => map.has(c))) return t;
  const target: string[] = [];
  const firstLine: number[] = [];
  const index = new Map<string, number>();
  const to = codes.map((c, i) => {
    const n = map.get(c) ?? c;
    let k = index.get(n);
    if (k === undefined) {
      k = target.length;
      index.set(n, k);
      target.push(n);
      firstLine.push(t.dict.nis.firstLine[i]!);
    } else firstLine[k] = Math.min(firstLine[k]!, t.dict.nis.firstLine[i]!);
    return k;
  });
  const nis = new Uint16Array(t.length);
  for (let i = 0; i < t.length; i++) nis[i] = to[t.nis[i]!]!;
  return { ...t, nis, dict: { ...t.dict, nis: { codes: target, firstLine } } };
}

/** Whether data in the municipalities of year `from` can be put on those of year `to`: no merger after `to` up to `from`. */
export const reachable = (crosswalk: Table, from: number, to: number): boolean =>
  from <= to || !crosswalk.rows.some((r) => (r.since as number) > to && (r.since as number) <= from);

/**
 * The population rows on the geography of year `g`. For each 1 January, of the rows that can be put on it (see
 * `reachable`), those given in the latest geography are used (1 January 2025 in the 2024 municipalities for a 2024
 * edition, in the 2025 ones for a 2025 edition), their codes mapped and added up. Rows of codes that are not
 * municipalities (regions) are kept as given.
 */
function harmonisePopulation(ds: Datasets, g: number): { table: Table; changed: Set<number> } {
  const munis = new Set(ds.municipalities.rows.map((r) => r.nis as string));
  const basis = (r: Row) => (r.geography as number | undefined) ?? (r.year as number);
  const best = new Map<number, number>();
  for (const r of ds.population.rows) {
    if (!munis.has(r.nis as string) || !reachable(ds.crosswalk, basis(r), g)) continue;
    const y = r.year as number;
    best.set(y, Math.max(best.get(y) ?? Number.NEGATIVE_INFINITY, basis(r)));
  }
  const rows: Row[] = [];
  const summed = new Map<string, Row>();
  const changed = new Set<number>();
  const maps = new Map<number, Map<string, string>>();
  for (const r of ds.population.rows) {
    if (!munis.has(r.nis as string)) {
      rows.push(r);
      continue;
    }
    const y = r.year as number;
    if (basis(r) !== best.get(y)) continue;
    let map = maps.get(basis(r));
    if (!map) {
      map = codeMap(ds.crosswalk, basis(r), g);
      maps.set(basis(r), map);
    }
    const nis = map.get(r.nis as string) ?? (r.nis as string);
    if (nis !== r.nis) changed.add(y);
    const key = `${y}|${nis}`;
    const s = summed.get(key);
    if (s) s.population = (s.population as number) + (r.population as number);
    else {
      const row: Row = { line: r.line, year: y, nis, population: r.population as number };
      summed.set(key, row);
      rows.push(row);
    }
  }
  return { table: { file: ds.population.file, rows }, changed };
}

export interface Harmonised {
  datasets: Datasets;
  /** the year whose municipalities the tables now use */
  geography: number;
  /** the years whose flows or populations were recomputed (some of their codes were merged since) */
  recomputed: number[];
  /** the municipalities merged since (by the year of the merger): where each lay, and the one it is part of now */
  merged: Merged[];
}

/** A municipality merged into another (codes/crosswalk.csv), with the areas each lies in. */
export interface Merged {
  since: number;
  old: Place;
  into: Place;
}
export interface Place {
  nis: string;
  name: string;
  arrondissement: string;
  province: string;
  region: string;
}

/** The municipalities merged into another by `geography`, with where they lay and where their successor lies. */
function mergedBy(ds: Datasets, geography: number): Merged[] {
  const place = (nis: string, year: number): Place | undefined => {
    const rows = ds.municipalities.rows.filter((r) => r.nis === nis);
    const r = rows.find((x) => validIn(x, year)) ?? rows[0];
    if (!r) return undefined;
    const s = (k: string) => String(r[k] ?? "");
    return {
      nis,
      name: s("name_nl"),
      arrondissement: s("arrondissement"),
      province: s("province"),
      region: s("region"),
    };
  };
  const out: Merged[] = [];
  for (const r of ds.crosswalk.rows) {
    const since = r.since as number;
    if (since > geography || r.nis_old === r.nis_new) continue;
    const old = place(r.nis_old as string, since - 1);
    const into = place(codeMap(ds.crosswalk, since - 1, geography).get(r.nis_old as string) ?? "", geography);
    if (old && into) out.push({ since, old, into });
  }
  return out.sort((a, b) => a.since - b.since || a.old.nis.localeCompare(b.old.nis));
}

/** The tables on the municipalities in force in year `geography` (see the top of this file). Pure. */
export function harmonise(ds: Datasets, geography: number): Harmonised {
  const recomputed = new Set<number>();
  const flows = new Map<number, FlowTable>();
  for (const [y, t] of ds.flows) {
    const map = codeMap(ds.crosswalk, y, geography);
    const r = reachable(ds.crosswalk, y, geography) ? remapFlows(t, map) : t;
    if (r !== t) recomputed.add(y);
    flows.set(y, r);
  }
  const population = harmonisePopulation(ds, geography);
  for (const y of population.changed) recomputed.add(y);
  return {
    datasets: {
      ...ds,
      municipalities: {
        file: ds.municipalities.file,
        rows: ds.municipalities.rows.filter((r) => validIn(r, geography)),
      },
      flows,
      population: population.table,
    },
    geography,
    recomputed: [...recomputed].sort((a, b) => a - b),
    merged: mergedBy(ds, geography),
  };
}
