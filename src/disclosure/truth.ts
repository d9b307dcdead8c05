import type { Datasets } from "../data/read-datasets.ts";
import { parseKey, type RoundGeography } from "./keys.ts";

/*
 * The true value of any cell of a round (keys.ts), published or not, from the flow tables as they were read (each
 * year's own municipalities, before harmonisation): a municipality's components of an earlier year, the nationality
 * an area's list leaves out. The pattern (pattern.ts) needs them to know how far a witness may move a cell that no
 * edition publishes.
 */

interface Totals {
  T: number;
  byCat: Map<string, number>;
}

/** `key` → its true value (undefined: not a count of the flows, such as the rest of a top list). */
export function flowTruth(
  ds: Pick<Datasets, "flows" | "nationalities">,
  geo: RoundGeography,
): (key: string) => number | undefined {
  const groupOf = new Map(ds.nationalities.rows.map((r) => [r.code as string, r.group as string]));
  // year|nis|direction → the total and every category of it, made when first asked for (from that municipality's
  // lines only: most cells asked for are a municipality's)
  const agg = new Map<string, Totals>();
  const lines = new Map<number, Map<string, number[]>>();
  const linesOf = (y: number, nis: string): number[] => {
    let byNis = lines.get(y);
    if (!byNis) {
      byNis = new Map();
      const t = ds.flows.get(y);
      if (t)
        for (let i = 0; i < t.length; i++) {
          const code = t.dict.nis.codes[t.nis[i]!]!;
          const l = byNis.get(code);
          if (l) l.push(i);
          else byNis.set(code, [i]);
        }
      lines.set(y, byNis);
    }
    return byNis.get(nis) ?? [];
  };
  const totalsOf = (y: number, nis: string, dir: string): Totals | undefined => {
    const id = `${y}|${nis}|${dir}`;
    if (!agg.has(id)) {
      const t = ds.flows.get(y);
      for (const d of ["immigration", "emigration"]) agg.set(`${y}|${nis}|${d}`, { T: 0, byCat: new Map() });
      if (t) {
        const { dict } = t;
        for (const i of linesOf(y, nis)) {
          const n = t.count[i]!;
          if (!n) continue;
          const a = agg.get(`${y}|${nis}|${dict.direction.codes[t.direction[i]!]!}`);
          if (!a) continue;
          const nat = dict.nationality.codes[t.nationality[i]!]!;
          const sex = dict.sex.codes[t.sex[i]!]!;
          a.T += n;
          for (const c of [
            `c:${dict.component.codes[t.component[i]!]!}`,
            `g:${groupOf.get(nat) ?? "non-EU"}`,
            `s:${sex}`,
            `n:${nat}`,
            `n:${nat}:${sex}`,
          ])
            a.byCat.set(c, (a.byCat.get(c) ?? 0) + n);
        }
      }
    }
    return agg.get(id);
  };
  const memo = new Map<string, number | undefined>();
  const value = (key: string): number | undefined => {
    if (memo.has(key)) return memo.get(key);
    const p = parseKey(key);
    let out: number | undefined;
    if (p.dir === "balance") {
      const im = value(`${p.geo}|${p.period}|immigration|${p.cat}`);
      const em = value(`${p.geo}|${p.period}|emigration|${p.cat}`);
      out = im === undefined || em === undefined ? undefined : im - em;
    } else if (p.cat === "T" || /^(c|g|s|n):/.test(p.cat)) {
      const comp = geo.compositionOf(p.geo);
      // a composition of another round's geography: that round's evaluator knows it
      if (!comp && p.geo !== p.code) {
        memo.set(key, undefined);
        return undefined;
      }
      const years = p.period.includes("-")
        ? (() => {
            const [a, b] = p.period.split("-").map(Number) as [number, number];
            return Array.from({ length: b - a + 1 }, (_, i) => a + i);
          })()
        : [Number(p.period)];
      let sum = 0;
      let known = true;
      for (const y of years) {
        if (![...ds.flows.keys()].includes(y)) known = false;
        const units = comp?.units && comp.y === y ? comp.units : p.geo === p.code ? [p.code] : geo.unitsOf(p.code, y);
        for (const u of units) {
          const a = totalsOf(y, u, p.dir);
          if (a) sum += p.cat === "T" ? a.T : (a.byCat.get(p.cat) ?? 0);
        }
      }
      out = known ? sum : undefined;
    }
    memo.set(key, out);
    return out;
  };
  return value;
}
