import { distance } from "fastest-levenshtein";
import { DIRECTIONS } from "../core/domain.ts";
import type { Table } from "../data/csv.ts";
import type { FlowTable } from "../data/flows.ts";
import { validIn } from "../data/harmonise.ts";
import { problem, type RuleId } from "../errors/messages.ts";
import type { Check } from "./check.ts";

/*
 * The flows of each year against the contract: codes checked once per distinct value (with the first line it
 * appears on and how often), duplicate keys found by sorting numbers (no map of 60,000 keys), the region's sums
 * against its long series, every municipality present.
 */

/** The checks of the flow tables, year by year. */
export function checkFlows(c: Check, h: { suggestNationality: (code: string, t: Table) => string }) {
  for (const [year, t] of c.ds.flows) {
    const inRegion = flowCodes(c, year, t, h.suggestNationality);
    flowKeysAndSums(c, year, t, inRegion);
  }
}

/** The codes of a year's flows (each distinct value once, with its first line and how often it appears); returns
 * whether each municipality code lies in the edition's region. */
function flowCodes(c: Check, year: number, t: FlowTable, suggestNationality: (code: string, t: Table) => string) {
  const { ds, p, out, muniByNis, componentsBy } = c;
  const natCodes = new Map(ds.nationalities.rows.map((r) => [r.code as string, r]));
  const d = t.dict;
  const uses = (idx: number, arr: ArrayLike<number>) => {
    let k = 0;
    for (let i = 0; i < t.length; i++) if (arr[i] === idx) k++;
    return k;
  };
  const at = (
    col: keyof typeof d,
    i: number,
    arr: ArrayLike<number>,
    column: number,
    rule: RuleId,
    params: Record<string, unknown>,
  ) => {
    const k = uses(i, arr);
    const found = problem(rule, { file: t.file, line: d[col].firstLine[i], column }, params);
    out.push(k > 1 ? { ...found, message: `${found.message} (on ${k} lines, first shown)` } : found);
  };
  for (let i = 0; i < t.length; i++)
    if (t.year[i] !== year) {
      out.push(problem("wrong-year", { file: t.file, line: t.line[i], column: 1 }, { found: t.year[i], year }));
      break;
    }
  const inRegion = d.nis.codes.map((nis, i) => {
    const muni = muniByNis.get(nis);
    if (!muni) {
      const near = ds.municipalities.rows.filter((m) => distance(m.nis as string, nis) === 1).slice(0, 3);
      at("nis", i, t.nis, 2, "unknown-code/municipality", {
        nis,
        municipalities: ds.municipalities.file,
        near: near.map((m) => `${m.nis} (${m.name_nl})`),
      });
    }
    return muni?.region === p.region;
  });
  const dirOk = d.direction.codes.map((dir, i) => {
    const ok = (DIRECTIONS as readonly string[]).includes(dir);
    if (!ok) at("direction", i, t.direction, 3, "bad-direction", { direction: dir });
    return ok;
  });
  // a component code is checked against the direction of each line that uses it
  const pairSeen = new Uint8Array(65536);
  const compPairs: number[] = [];
  for (let i = 0; i < t.length; i++) {
    const pair = t.direction[i]! * 256 + t.component[i]!;
    if (!pairSeen[pair]) {
      pairSeen[pair] = 1;
      compPairs.push(pair);
    }
  }
  for (const pair of compPairs) {
    const dir = d.direction.codes[pair >> 8]!;
    const comp = d.component.codes[pair & 255]!;
    if (dirOk[pair >> 8] && !componentsBy.get(dir)?.has(comp)) {
      let line = 0;
      for (let i = 0; i < t.length; i++)
        if (t.direction[i] === pair >> 8 && t.component[i] === (pair & 255)) {
          line = t.line[i]!;
          break;
        }
      out.push(
        problem(
          "unknown-code/component",
          { file: t.file, line, column: 4 },
          { component: comp, direction: dir, known: [...(componentsBy.get(dir) ?? [])] },
        ),
      );
    }
  }
  d.nationality.codes.forEach((nat, i) => {
    if (!natCodes.has(nat))
      at("nationality", i, t.nationality, 5, "unknown-code/nationality", {
        code: nat,
        nationalities: ds.nationalities.file,
        suggestion: suggestNationality(nat, ds.nationalities),
      });
  });
  d.sex.codes.forEach((s, i) => {
    if (s !== "M" && s !== "F") at("sex", i, t.sex, 6, "bad-sex", { sex: s });
  });
  return inRegion;
}

/** Duplicate keys, every municipality present, the region's sums against its long series. */
function flowKeysAndSums(c: Check, year: number, t: FlowTable, inRegion: boolean[]) {
  const { ds, p, out, err } = c;
  const d = t.dict;
  const regionMunis = ds.municipalities.rows.filter((r) => r.region === p.region);
  // duplicate keys: one number per key; sorted, a repeat sits next to its twin (no map of 60,000 keys, unless one is
  // found: then the map names the first line of each)
  const sums = [0, 0];
  const dirIndex = DIRECTIONS.map((dd) => d.direction.codes.indexOf(dd));
  const keyOf = (i: number) =>
    (((t.nis[i]! * 4 + t.direction[i]!) * 256 + t.component[i]!) * 1024 + t.nationality[i]!) * 4 + t.sex[i]!;
  const keys = new Float64Array(t.length);
  for (let i = 0; i < t.length; i++) keys[i] = keyOf(i);
  keys.sort();
  let repeated = false;
  for (let i = 1; i < keys.length && !repeated; i++) repeated = keys[i] === keys[i - 1];
  const seen = new Map<number, number>();
  for (let i = 0; i < t.length; i++) {
    if (repeated) {
      const key = keyOf(i);
      const first = seen.get(key);
      if (first !== undefined) {
        const values = [
          year,
          ...(["nis", "direction", "component", "nationality", "sex"] as const).map((c) => d[c].codes[t[c][i]!]),
        ];
        out.push(
          problem(
            "duplicate-key",
            { file: t.file, line: t.line[i]! },
            { key: "year × nis × direction × component × nationality × sex", values: values.join(", "), first },
          ),
        );
      } else seen.set(key, t.line[i]!);
    }
    if (inRegion[t.nis[i]!]) {
      if (t.direction[i] === dirIndex[0]) sums[0]! += t.count[i]!;
      else if (t.direction[i] === dirIndex[1]) sums[1]! += t.count[i]!;
    }
  }
  const seenMuni = new Set(d.nis.codes);
  for (const m of regionMunis)
    if (validIn(m, year) && !seenMuni.has(m.nis as string))
      out.push(problem("missing-municipality/flows", { file: t.file }, { name: m.name_nl, nis: m.nis, year }));
  DIRECTIONS.forEach((dd, k) => {
    const ls = ds.longSeries.rows.find((r) => r.year === year && r.region === p.region && r.direction === dd);
    if (ls && ls.count !== sums[k])
      err(ds.longSeries, ls, "flows-disagree", {
        direction: dd,
        year,
        region: p.region,
        count: ls.count,
        flows: t.file,
        sum: sums[k],
      });
  });
}
