import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EditionCells } from "../src/disclosure/cells.ts";
import { cellKey, type RoundGeography, roundGeography } from "../src/disclosure/keys.ts";
import { lpAudit, smallPublished } from "../src/disclosure/lp.ts";
import { type Pattern, roundPattern } from "../src/disclosure/pattern.ts";
import { buildSystem, type Categories, type Kind, type Round } from "../src/disclosure/system.ts";

/*
 * The round pattern attacked as a reader would, on random small linked hierarchies: five municipalities in two
 * arrondissements of one province and region, two components, three years and their period, and a merger (two of
 * them become one on 1 January 2025). The 2024 round is published; the 2025 round, on the merged geography, is read
 * with it. For any values (many of them 1–4), the LP finds no hidden count it can narrow in the two rounds read
 * together, and no count of 1–4 is published.
 */

const M = 5;
const row = (nis: string, arr: string, from?: number, to?: number) => ({
  line: 0,
  nis,
  arrondissement: arr,
  province: "10000",
  region: "02000",
  ...(from ? { valid_from: from } : {}),
  ...(to ? { valid_to: to } : {}),
});
const codes = {
  municipalities: {
    file: "municipalities.csv",
    rows: [
      row("11001", "11000"),
      row("11002", "11000", undefined, 2024),
      row("11003", "11000", undefined, 2024),
      row("11004", "11000", 2025),
      row("12001", "12000"),
      row("12002", "12000"),
    ],
  },
  crosswalk: {
    file: "crosswalk.csv",
    rows: [
      { line: 2, nis_old: "11002", nis_new: "11004", since: 2025 },
      { line: 3, nis_old: "11003", nis_new: "11004", since: 2025 },
    ],
  },
};
const cats: Categories = {
  components: { immigration: ["a", "b"], emigration: ["a", "b"] },
  groupOf: new Map(),
  groups: [],
};
const DIRS = ["immigration", "emigration"] as const;
/** the units (municipalities of each year) whose flows the values are */
const unitsOf = (y: number) =>
  y < 2025 ? ["11001", "11002", "11003", "12001", "12002"] : ["11001", "11004", "12001", "12002"];

/** Every edition of the round of `year`: each area publishes its yearly totals and components, each municipality the
 * period's totals too; the value of a cell is the sum of its units' flows. */
function roundOf(year: number, flow: (unit: string, y: number, dir: string, comp: string) => number) {
  const g: RoundGeography = roundGeography(codes, { year, geography: year, region: "02000" });
  const years = [year - 2, year - 1, year];
  const truth = new Map<string, number>();
  const editions: EditionCells[] = [];
  for (const area of [...g.munis.keys(), "11000", "12000", "10000", "02000"]) {
    const cells: EditionCells["cells"] = [];
    const put = (key: string, v: number) => {
      truth.set(key, v);
      cells.push({ key, value: v, paths: [key] });
    };
    for (const d of DIRS) {
      let period = 0;
      for (const y of years) {
        const geo = g.geoKey(area, y);
        const units = g.unitsOf(area, y);
        let total = 0;
        for (const c of ["a", "b"]) {
          const v = units.reduce((s, u) => s + flow(u, y, d, c), 0);
          put(cellKey(geo, y, d, `c:${c}`), v);
          total += v;
        }
        put(cellKey(geo, y, d, "T"), total);
        period += total;
      }
      if (g.munis.has(area)) put(cellKey(g.periodKey(area, years[0]!, year), `${years[0]}-${year}`, d, "T"), period);
    }
    editions.push({ area, cells, facts: [], tells: [], lists: [] });
  }
  return { round: { geo: g, editions } as Round, truth };
}

/** How a reader marks every cell: published with its value, or hidden with its marker. */
function markingOf(truth: Map<string, number>, p: Pattern) {
  const m = new Map<string, { kind: Kind; value?: number }>();
  for (const [k, v] of truth) {
    const h = p.hidden.get(k);
    m.set(k, h ? { kind: (h.shown ?? h.kind) as Kind } : { kind: "published", value: v });
  }
  return m;
}

describe("round pattern, attacked with the LP (property)", () => {
  it("random hierarchies with years, components and a merger: nothing is narrowed, no count of 1–4 published", async () => {
    const small = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 5, max: 40 }));
    const units = [...new Set([...unitsOf(2022), ...unitsOf(2025)])];
    const keys = units.flatMap((u) =>
      [2022, 2023, 2024, 2025].flatMap((y) => DIRS.flatMap((d) => ["a", "b"].map((c) => `${u}|${y}|${d}|${c}`))),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(small, { minLength: keys.length, maxLength: keys.length }), async (values) => {
        const flows = new Map(keys.map((k, i) => [k, values[i]!]));
        const flow = (u: string, y: number, d: string, c: string) => flows.get(`${u}|${y}|${d}|${c}`) ?? 0;
        const r24 = roundOf(2024, flow);
        const p24 = await roundPattern(r24.round, r24.truth, { rounds: [], marking: new Map() }, cats, M);
        const marking24 = markingOf(r24.truth, p24);
        const r25 = roundOf(2025, flow);
        const p25 = await roundPattern(
          r25.round,
          r25.truth,
          { rounds: [r24.round], marking: marking24, truth: r24.truth },
          cats,
          M,
        );
        expect(p24.stats.unprotected).toEqual([]);
        expect(p25.stats.unprotected).toEqual([]);
        // the reader: both rounds as published, every relation between them
        const marking = new Map([...marking24, ...markingOf(r25.truth, p25)]);
        const sys = buildSystem([r25.round, r24.round], cats, (k) => marking.get(k), M);
        expect(smallPublished(sys, M)).toEqual([]);
        expect((await lpAudit(sys, M)).findings.map((f) => `${f.key} ${f.lo}–${f.hi}`)).toEqual([]);
      }),
      { numRuns: 12, seed: 20251205 },
    );
  }, 120_000);
});
