import type { Relation, System } from "./system.ts";

/*
 * Bounds propagation: what a reader can derive for every cell by taking one relation at a time, over and over until
 * nothing changes, knowing that every cell is a whole number. It is fast and finds most ways a hidden cell can be
 * worked out (a sum with one hidden part; a "<5" beside an "x" whose sum is too small), but not those that need
 * several relations at once: the LP (lp.ts) finds those. The LP starts from these bounds, which only tightens it.
 */

const INF = Number.POSITIVE_INFINITY;
const EPS = 1e-6;

/** The relations each variable is in. */
export function relationIndex(sys: System): Map<string, Relation[]> {
  const index = new Map<string, Relation[]>();
  for (const r of sys.relations)
    for (const [k] of r.terms) {
      const l = index.get(k);
      if (l) l.push(r);
      else index.set(k, [r]);
    }
  return index;
}

/** Tightens every variable's [lo, hi] in place; returns the relations found contradictory (none when consistent). */
export function propagate(sys: System, index = relationIndex(sys), start: Relation[] = sys.relations): Relation[] {
  const queue = [...start];
  const queued = new Set(queue);
  const bad: Relation[] = [];
  let steps = 0;
  const limit = 50 * sys.relations.length + 10_000;
  for (let head = 0; head < queue.length && steps++ < limit; head++) {
    const r = queue[head]!;
    queued.delete(r);
    for (const k of tighten(sys, r, bad)) {
      for (const q of index.get(k) ?? [])
        if (!queued.has(q)) {
          queued.add(q);
          queue.push(q);
        }
    }
  }
  return bad;
}

/** One relation's implications; returns the keys whose bounds moved. */
function tighten(sys: System, r: Relation, bad: Relation[]): string[] {
  const vs = r.terms.map(([k]) => sys.vars.get(k)!);
  const n = vs.length;
  const mins = new Array<number>(n);
  const maxs = new Array<number>(n);
  let minSum = 0;
  let minInf = 0;
  let maxSum = 0;
  let maxInf = 0;
  for (let i = 0; i < n; i++) {
    const a = r.terms[i]![1];
    const v = vs[i]!;
    mins[i] = a > 0 ? a * v.lo : a * v.hi;
    maxs[i] = a > 0 ? a * v.hi : a * v.lo;
    if (mins[i] === -INF) minInf++;
    else minSum += mins[i]!;
    if (maxs[i] === INF) maxInf++;
    else maxSum += maxs[i]!;
  }
  if (minInf === 0 && minSum > r.rhs + 1e-6 * Math.max(1, Math.abs(r.rhs))) bad.push(r);
  const moved: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = r.terms[i]![1];
    const v = vs[i]!;
    if (v.kind === "published") continue;
    // a·x ≤ rhs − (the others' smallest sum)
    const othersMin = mins[i] === -INF ? (minInf === 1 ? minSum : -INF) : minInf ? -INF : minSum - mins[i]!;
    let lo = v.lo;
    let hi = v.hi;
    if (othersMin > -INF) {
      const b = (r.rhs - othersMin) / a;
      if (a > 0) hi = Math.min(hi, Math.floor(b + EPS));
      else lo = Math.max(lo, Math.ceil(b - EPS));
    }
    if (r.op === "=") {
      const othersMax = maxs[i] === INF ? (maxInf === 1 ? maxSum : INF) : maxInf ? INF : maxSum - maxs[i]!;
      if (othersMax < INF) {
        const b = (r.rhs - othersMax) / a;
        if (a > 0) lo = Math.max(lo, Math.ceil(b - EPS));
        else hi = Math.min(hi, Math.floor(b + EPS));
      }
    }
    if (lo !== v.lo || hi !== v.hi) {
      if (lo > hi) {
        bad.push(r);
        continue;
      }
      v.lo = lo;
      v.hi = hi;
      moved.push(v.key);
    }
  }
  return moved;
}

/**
 * Whether a hidden cell is protected (the promise in README § Confidentiality): a "<5" cell keeps every value from 1
 * to minCount − 1; an "x" cell keeps at least two whole values, one of them minCount or more (a reader cannot tell
 * whether it is a small count).
 */
export function protectedBounds(kind: string, lo: number, hi: number, minCount: number): boolean {
  if (hi - lo < 1 - EPS) return false;
  if (kind === "primary") return lo <= 1 + EPS && hi >= minCount - 1 - EPS;
  if (kind === "secondary") return hi >= minCount - EPS;
  return true;
}
