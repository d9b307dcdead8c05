import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type LinearProgram, lpSolver } from "../src/disclosure/highs.ts";

/*
 * The pattern's and the audit's LPs are handed to HiGHS as arrays (src/disclosure/highs.ts), no longer as CPLEX LP
 * text. Written out as that text, with the columns named in the order the arrays number them, HiGHS must return the
 * same status and the very same solution: a pattern then hides the same cells as before, and the audit proves the
 * same. The LPs are of the pattern's kind: many optimal corners (costs and coefficients of 1, sums of parts).
 */

const fmt = (x: number) =>
  x === Number.POSITIVE_INFINITY ? "+inf" : x === Number.NEGATIVE_INFINITY ? "-inf" : String(x);
const term = (c: number, a: number) => `${a < 0 ? "-" : "+"} ${fmt(Math.abs(a))} c${c}`;

/** the LP as CPLEX LP text; every column appears in the objective or a row before the bounds, in index order */
function asText(lp: LinearProgram): string {
  const obj = lp.cost.flatMap((a, c) => (a ? [term(c, a)] : [])).join(" ");
  const rows = lp.rows.map((r, i) => {
    const body = r.cols.map((c, k) => term(c, r.coefs[k]!)).join(" ");
    return ` r${i}: ${body} ${r.lower === r.upper ? "=" : "<="} ${fmt(r.upper)}`;
  });
  const bounds = lp.lower.map((lo, c) => ` ${fmt(lo)} <= c${c} <= ${fmt(lp.upper[c]!)}`);
  return `${lp.sense === "min" ? "Minimize" : "Maximize"}\n obj: ${obj}\nSubject To\n${rows.join("\n")}\nBounds\n${bounds.join("\n")}\nEnd\n`;
}

/** a random LP of the pattern's shape: n columns, totals equal to sums of parts, a few inequalities */
const programs = fc
  .record({
    n: fc.integer({ min: 4, max: 40 }),
    seed: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 200, maxLength: 200 }),
    sense: fc.constantFrom("min" as const, "max" as const),
  })
  .map(({ n, seed, sense }): LinearProgram => {
    let i = 0;
    const next = (m: number) => seed[i++ % seed.length]! % m;
    const cost = Array.from({ length: n }, (_, c) => (c < 3 || next(3) === 0 ? [1, 1, 0.001, 4][next(4)]! : 0));
    const lower = Array.from({ length: n }, () => [0, 0, 1, Number.NEGATIVE_INFINITY][next(4)]!);
    const upper = lower.map((lo) =>
      lo === Number.NEGATIVE_INFINITY ? Number.POSITIVE_INFINITY : [4, 9, 1e7, Number.POSITIVE_INFINITY][next(4)]!,
    );
    const rows: LinearProgram["rows"] = [];
    for (let r = 0; r < n / 2; r++) {
      const cols = [...new Set(Array.from({ length: 2 + next(4) }, () => next(n)))];
      const coefs = cols.map((_, k) => (k === 0 ? -1 : 1));
      const rhs = next(3) === 0 ? next(12) : 0;
      rows.push({ cols, coefs, lower: next(4) === 0 ? Number.NEGATIVE_INFINITY : rhs, upper: rhs });
    }
    // the columns numbered as a reader of the text numbers them: where they first appear (objective, rows, bounds)
    const order = new Map<number, number>();
    const see = (c: number) => {
      if (!order.has(c)) order.set(c, order.size);
    };
    for (const [c, a] of cost.entries()) if (a) see(c);
    for (const r of rows) for (const c of r.cols) see(c);
    for (const c of cost.keys()) see(c);
    const moved = <T>(xs: T[]) => xs.map((_, c) => xs[[...order].find(([, to]) => to === c)![0]]!);
    for (const r of rows) r.cols = r.cols.map((c) => order.get(c)!);
    return { sense, cost: moved(cost), lower: moved(lower), upper: moved(upper), rows };
  });

describe("HiGHS given an LP as arrays", () => {
  it("returns the status and the very solution it returns for the same LP written as CPLEX LP text", async () => {
    const solve = await lpSolver();
    const require = createRequire(import.meta.url);
    const highs = (await (require("highs") as () => Promise<unknown>)()) as {
      solve(lp: Uint8Array): { Status: string; Columns: Record<string, { Primal: number }> };
    };
    const statuses = new Set<string>();
    fc.assert(
      fc.property(programs, (lp) => {
        const text = highs.solve(new TextEncoder().encode(asText(lp)));
        const arrays = solve(lp);
        const status = { Optimal: "optimal", Unbounded: "unbounded", Infeasible: "infeasible" }[text.Status] ?? "other";
        expect(arrays.status).toBe(status);
        statuses.add(status);
        if (status === "optimal")
          expect(Array.from(arrays.x)).toEqual(lp.cost.map((_, c) => text.Columns[`c${c}`]!.Primal));
      }),
      { numRuns: 300, seed: 2026 },
    );
    // the random LPs reach each outcome, so each comparison above ran
    expect([...statuses].sort()).toEqual(["infeasible", "optimal", "unbounded"]);
  });
});
