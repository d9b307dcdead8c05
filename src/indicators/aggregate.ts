import type { Row } from "../data/csv.ts";
import type { FlowTable } from "../data/flows.ts";
import type { Datasets } from "../data/read-datasets.ts";
import type { Direction, Group } from "./types.ts";

/*
 * The flow tables summed for an area: one pass over a year's lines (of the area's municipalities only, when they are
 * few), by direction into components, nationalities by sex, nationality groups and municipalities; and the
 * population table as a look-up. Both are made once per table and area, for every section that needs them.
 */

export interface FlowAggregate {
  total: Record<Direction, number>;
  byComponent: Map<string, number>;
  byGroup: Map<string, number>;
  byNationality: Record<Direction, Map<string, { men: number; women: number }>>;
  bySex: Record<Direction, { men: number; women: number }>;
  byMunicipality: Map<string, { immigration: number; emigration: number }>;
}

const populations = new WeakMap<object, Map<string, number>>();
/** `year|nis` → population, made once per table (a round computes 328 areas from the same tables) */
export function populationOf(t: Datasets["population"]): Map<string, number> {
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

/** One pass over a year's flow columns, restricted to the area's municipalities. */
export function aggregateFlows(
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
