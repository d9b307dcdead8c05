import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Line, readerBounds, suppress } from "../src/indicators/disclosure.ts";

/*
 * Disclosure control: no suppressed value can be recomputed from what is published. The check is by brute force,
 * independent of the algorithm's own bound propagation: every assignment of the suppressed cells a reader could
 * believe (a "<5" cell is 1–4, an "x" cell any count from 1: it may be a small total of hidden parts) that agrees
 * with every published sum is enumerated; each "<5" cell must be left with every value from 1 to 4, each "x" cell
 * with at least two.
 */

const M = 5;
const BOUND = 40; // above any sum the generated tables can make: a tighter bound would only make the test stricter

/** A table as an edition publishes it: base counts, and lines (parts → total) made of them. */
function table(base: number[], shape: { a: boolean; b: boolean; c: boolean }) {
  const values = new Map(base.map((v, i) => [`q${i}`, v]));
  const lines: Line[] = [];
  const add = (total: string, parts: string[]) => {
    values.set(
      total,
      parts.reduce((s, p) => s + values.get(p)!, 0),
    );
    lines.push({ parts, total });
  };
  // like a municipal edition: components of a direction (A), men and women of a nationality (B), and the years of a
  // period whose last year is A's total (C)
  if (shape.a) add("A", ["q0", "q1", "q2"]);
  if (shape.b) add("B", ["q3", "q4"]);
  if (shape.c) add("C", [shape.a ? "A" : "q0", "q5"]);
  return { values, lines };
}

/** Every value each hidden quantity can take, given what is published (brute force over the base counts). */
function possible(values: Map<string, number>, lines: Line[], hidden: Map<string, "primary" | "secondary">) {
  const base = [...values.keys()].filter((k) => k.startsWith("q"));
  const free = base.filter((k) => hidden.has(k));
  const seen = new Map<string, Set<number>>([...hidden.keys()].map((k) => [k, new Set<number>()]));
  const domain = (k: string) =>
    hidden.get(k) === "primary" ? [1, 2, 3, 4] : Array.from({ length: BOUND }, (_, i) => i + 1);
  const assign = new Map(values);
  const walk = (i: number) => {
    if (i === free.length) {
      // the totals follow from the parts; every published value must be met, every hidden one in its domain
      for (const l of lines)
        assign.set(
          l.total,
          l.parts.reduce((s, p) => s + assign.get(p)!, 0),
        );
      for (const [k, v] of values) if (!hidden.has(k) && assign.get(k) !== v) return;
      for (const [k, kind] of hidden) {
        const v = assign.get(k)!;
        if (kind === "primary" ? v < 1 || v > 4 : v < 1) return;
      }
      for (const k of hidden.keys()) seen.get(k)!.add(assign.get(k)!);
      return;
    }
    for (const v of domain(free[i]!)) {
      assign.set(free[i]!, v);
      walk(i + 1);
    }
  };
  walk(0);
  return seen;
}

describe("disclosure control", () => {
  it("a count of 1–4 is suppressed; a line with one suppressed part gets a second one", () => {
    const { values, lines } = table([3, 40, 12, 0, 0, 0], { a: true, b: false, c: false });
    const s = suppress(values, lines, { minCount: M });
    expect([...s.primary]).toEqual(["q0"]);
    expect([...s.secondary]).toEqual(["q2"]); // the smallest published non-zero part
    expect(values.get("A")).toBe(55);
  });

  it("zeros are published, and a total of 1–4 hides its line", () => {
    const { values, lines } = table([0, 2, 0, 0, 0, 0], { a: true, b: false, c: false });
    const s = suppress(values, lines, { minCount: M });
    expect(s.primary.has("q0")).toBe(false);
    expect(s.primary.has("q1") && s.primary.has("A")).toBe(true);
  });

  it("a small total of hidden parts is shown 'x': three '<5' years under a '<5' period would be 1 or 2 each", () => {
    // Herstappe's emigration in 2022–2024: 1, 1 and 1, a period of 3
    const values = new Map([
      ["y2022", 1],
      ["y2023", 1],
      ["y2024", 1],
      ["period", 3],
    ]);
    const lines: Line[] = [{ parts: ["y2022", "y2023", "y2024"], total: "period" }];
    const s = suppress(values, lines, { minCount: M });
    expect([...s.primary].sort()).toEqual(["y2022", "y2023", "y2024"]);
    expect([...s.secondary]).toEqual(["period"]);
    const b = readerBounds(values, lines, s, M);
    for (const y of ["y2022", "y2023", "y2024"]) expect(b.get(y)).toEqual([1, 4]);
  });

  it("property: for random small tables, no suppressed value can be recomputed from what is published", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 6, maxLength: 6 }),
        fc.record({ a: fc.boolean(), b: fc.boolean(), c: fc.boolean() }),
        (base, shape) => {
          const { values, lines } = table(base, shape);
          const s = suppress(values, lines, { minCount: M });
          const hidden = new Map<string, "primary" | "secondary">([
            ...[...s.primary].map((k) => [k, "primary"] as const),
            ...[...s.secondary].map((k) => [k, "secondary"] as const),
          ]);
          // every count 1–4 is hidden ("<5", or "x" when it is the total of hidden parts)
          for (const [k, v] of values) if (v >= 1 && v < M) expect(hidden.has(k), k).toBe(true);
          const freeBase = [...hidden.keys()].filter((k) => k.startsWith("q"));
          fc.pre(freeBase.length <= 5);
          const seen = possible(values, lines, hidden);
          for (const [k, vals] of seen)
            if (hidden.get(k) === "primary")
              expect([...vals].sort(), `${k} is narrowed to ${[...vals]}`).toEqual([1, 2, 3, 4]);
            else expect(vals.size, `${k} can be worked out: ${[...vals]}`).toBeGreaterThan(1);
        },
      ),
      { numRuns: 2000, seed: 20261130 },
    );
  });
});
