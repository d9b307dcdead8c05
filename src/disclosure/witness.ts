import { type LinearProgram, lpSolver } from "./highs.ts";
import { parseKey } from "./keys.ts";
import type { Relation, System } from "./system.ts";

/*
 * A witness of a hidden cell: another table, as a reader of everything published would have to accept it, in which
 * the cell takes each value its marker promises. It is a direction δ over the cells of the round (and of the earlier
 * rounds) in which every relation of the system still holds (every sum still adds up) and every published cell stays
 * as it is; moving the true table by k·δ, for every k from −down to up, keeps every cell within what a reader knows
 * of it (a hidden count at least 1, a "<5" at most minCount − 1, a count never below 0). The cells δ moves that are
 * published now are the secondary suppressions the cell needs; those hidden already cost nothing.
 *
 * Each witness is the cheapest such δ found by a small LP (HiGHS) over the cells of one area (the arrondissement
 * first, then the province, then the region): the cost of moving a cell is what hiding it loses (nothing for a cell
 * hidden already, more for a total than for a component, more for a province than for a municipality). The cells of
 * the area are the LP's columns; every relation that holds one of them is a row, with the cells outside the area held
 * where they are. A witness found this way is a witness of the whole system, so a pattern built from one witness per
 * hidden cell passes the audit's LP by construction (the audit checks it all the same).
 */

export interface WitnessContext {
  sys: System;
  index: Map<string, Relation[]>;
  /** the true value of a cell (undefined: not known, the cell then stays where it is) */
  truth: (key: string) => number | undefined;
  /** a cell that must not move: published by an earlier round (it cannot be taken back), or a zero */
  fixed: (key: string) => boolean;
  /** how a cell is shown now: hidden as "<5" ("primary"), as "x" ("secondary": at least 1; "withheld": maybe 0),
   * or not hidden */
  shown: (key: string) => "primary" | "secondary" | "withheld" | undefined;
  /** what hiding a published cell costs (a cell hidden already costs nothing) */
  cost: (key: string) => number;
  minCount: number;
}

export interface Witness {
  target: string;
  /** the cells it moves, with their direction (the target's is 1) */
  moves: Map<string, number>;
}

const INF = Number.POSITIVE_INFINITY;
const EPS = 1e-7;
const isCount = (k: string) => {
  const d = parseKey(k).dir;
  return d === "immigration" || d === "emigration";
};

/** The interval a reader knows a cell lies in once the witness's cells are hidden. */
function readerBounds(ctx: WitnessContext, key: string): [number, number] {
  if (!isCount(key)) {
    const v = ctx.sys.vars.get(key)!;
    if (parseKey(key).dir === "balance") return [-INF, INF];
    return [v.lo, v.hi]; // an unpublished cell (the rest of a list): what the list says of it
  }
  const s = ctx.shown(key);
  if (s === "primary") return [1, ctx.minCount - 1];
  if (s === "secondary") return [1, INF];
  if (s === "withheld") return [0, INF];
  const v = ctx.sys.vars.get(key)!;
  if (v.kind === "free") return [v.lo, v.hi];
  return [1, INF]; // a published count that the witness would hide: "x"
}

// six significant digits (a cost or a room rounded in the sixth digit changes no witness), as when the LP was text
const num = (x: number) => (Number.isInteger(x) ? x : Number(x.toPrecision(6)));

/**
 * The cheapest witness of `target` among the cells `inScope` accepts, moving it `down` units down and `up` units up
 * (undefined: none in this scope).
 */
export async function findWitness(
  ctx: WitnessContext,
  target: string,
  range: { down: number; up: number },
  inScope: (key: string) => boolean,
  /** at most this many cells move: the nearest to the target (the others are held where they are) */
  limit = Number.POSITIVE_INFINITY,
): Promise<Witness | undefined> {
  const { down, up } = range;
  // the columns: every cell of the scope that may move, reached from the target through relations
  const cols = new Map<string, { lo: number; hi: number; cost: number }>();
  const rels = new Set<Relation>();
  const queue = [target];
  const seen = new Set(queue);
  for (let head = 0; head < queue.length; head++) {
    const k = queue[head]!;
    if (k !== target) {
      const t = ctx.truth(k);
      if (t === undefined || ctx.fixed(k)) continue;
      const [lo, hi] = readerBounds(ctx, k);
      if (t < lo || t > hi) continue; // what the reader is told does not hold of it: leave it alone
      // k·δ for every k in [−down, up] stays within [lo, hi]
      const ub = Math.min(up ? (hi - t) / up : INF, down ? (t - lo) / down : INF);
      const lb = Math.max(up ? -(t - lo) / up : -INF, down ? -(hi - t) / down : -INF);
      if (ub < EPS && lb > -EPS) continue;
      const shown = ctx.shown(k);
      const cost = !isCount(k) || shown ? 1e-3 : ctx.cost(k);
      cols.set(k, { lo: lb, hi: ub, cost });
    }
    for (const r of ctx.index.get(k) ?? []) {
      rels.add(r);
      for (const [q] of r.terms)
        if (!seen.has(q) && seen.size < limit && inScope(q)) {
          seen.add(q);
          queue.push(q);
        }
    }
  }
  // the rows: every relation that holds a column or the target. Columns 2i and 2i + 1 are the i-th cell's move up
  // (u) and down (w): δ = u − w, u, w ≥ 0
  const index = new Map<string, number>();
  for (const k of cols.keys()) index.set(k, index.size);
  const rows: LinearProgram["rows"] = [];
  for (const r of rels) {
    const terms = new Map<number, number>();
    let rhs = 0;
    for (const [q, a] of r.terms) {
      if (q === target) rhs -= a;
      else {
        const c = index.get(q);
        if (c === undefined) continue;
        const coef = Math.sign(a) * num(Math.abs(a));
        terms.set(2 * c, (terms.get(2 * c) ?? 0) + coef);
        terms.set(2 * c + 1, (terms.get(2 * c + 1) ?? 0) - coef);
      }
    }
    if (!terms.size) {
      if (Math.abs(rhs) > EPS) return undefined; // the target is the only cell of a relation that may move
      continue;
    }
    const cs = [...terms.keys()];
    const coefs = [...terms.values()];
    if (r.op === "=") rows.push({ cols: cs, coefs, lower: num(rhs), upper: num(rhs) });
    else {
      // an inequality keeps holding for every k: its slack bounds the change both ways
      let slack = r.rhs;
      for (const [q, a] of r.terms) {
        const t = ctx.truth(q);
        if (t === undefined) {
          slack = 0;
          break;
        }
        slack -= a * t;
      }
      slack = Math.max(0, slack);
      // Σ a·δ = change; up·change ≤ slack and −down·change ≤ slack
      if (up) rows.push({ cols: cs, coefs, lower: -INF, upper: num(slack / up + rhs) });
      if (down) rows.push({ cols: cs, coefs: coefs.map((a) => -a), lower: -INF, upper: num(slack / down - rhs) });
    }
  }
  if (!rows.length) return { target, moves: new Map([[target, 1]]) };
  const cells = [...cols.values()];
  const res = (await lpSolver())({
    sense: "min",
    cost: cells.flatMap((c) => [num(c.cost), num(c.cost)]),
    lower: cells.flatMap(() => [0, 0]),
    upper: cells.flatMap((c) => [
      c.hi === INF ? INF : num(Math.max(0, c.hi)),
      c.lo === -INF ? INF : num(Math.max(0, -c.lo)),
    ]),
    rows,
  });
  if (res.status !== "optimal") return undefined;
  const moves = new Map<string, number>([[target, 1]]);
  for (const [k, c] of index) {
    const d = res.x[2 * c]! - res.x[2 * c + 1]!;
    if (Math.abs(d) > 1e-6) moves.set(k, d);
  }
  return { target, moves };
}

/**
 * The cheapest rectangle that is a witness of `target`, without an LP: the target and another category of its row
 * (another component, nationality group or sex of the same area, year and direction) move one way, the same two
 * categories of a sibling area (another municipality of its arrondissement, another arrondissement of its province)
 * the other way, so every total stays as it is. Each candidate is checked against every relation it touches and the
 * bounds of its cells, as the LP would; undefined when none holds (the LP then looks further).
 */
export function rectangleWitness(
  ctx: WitnessContext,
  target: string,
  range: { down: number; up: number },
  siblings: (key: string) => string[],
): Witness | undefined {
  const p = parseKey(target);
  const prefix = p.cat.slice(0, 2);
  if (!["c:", "g:", "s:"].includes(prefix)) return undefined;
  const cats = rowCats(ctx, p.geo, p, prefix);
  if (!cats) return undefined;
  const t = ctx.truth(target);
  if (t === undefined) return undefined;
  // a cell may move by δ·k for every k in [−down, up]
  const room = (k: string, d: number) => {
    if (ctx.fixed(k)) return false;
    const v = ctx.truth(k);
    if (v === undefined) return false;
    const [lo, hi] = readerBounds(ctx, k);
    return (
      v + d * range.up <= hi + EPS &&
      v + d * range.up >= lo - EPS &&
      v - d * range.down >= lo - EPS &&
      v - d * range.down <= hi + EPS
    );
  };
  const cost = (k: string) => (ctx.shown(k) ? 1e-3 : ctx.cost(k));
  const candidates: { moves: Map<string, number>; cost: number }[] = [];
  for (const other of cats) {
    if (other === p.cat) continue;
    const b = `${p.geo}|${p.period}|${p.dir}|${other}`;
    if (!ctx.sys.vars.has(b) || !room(b, -1)) continue;
    for (const sib of siblings(target)) {
      const a2 = `${sib}|${p.period}|${p.dir}|${p.cat}`;
      const b2 = `${sib}|${p.period}|${p.dir}|${other}`;
      if (!ctx.sys.vars.has(a2) || !ctx.sys.vars.has(b2) || !room(a2, -1) || !room(b2, 1)) continue;
      candidates.push({
        moves: new Map([
          [target, 1],
          [b, -1],
          [a2, -1],
          [b2, 1],
        ]),
        cost: cost(b) + cost(a2) + cost(b2),
      });
    }
  }
  candidates.sort((x, y) => x.cost - y.cost);

  for (const c of candidates.slice(0, 12)) {
    const moves = withBalances(ctx, c.moves);
    if (holds(ctx, moves)) return { target, moves };
  }
  return undefined;
}

/** the categories of a row (the components, groups or sexes of one area, year and direction) */
function rowCats(ctx: WitnessContext, geo: string, p: { period: string; dir: string }, prefix: string) {
  const total = `${geo}|${p.period}|${p.dir}|T`;
  for (const r of ctx.index.get(total) ?? [])
    if (
      r.total === total &&
      r.terms.length > 2 &&
      r.terms.every(([q]) => q === total || parseKey(q).cat.startsWith(prefix))
    )
      return r.terms.filter(([q]) => q !== total).map(([q]) => parseKey(q).cat);
  return undefined;
}

/** the moves with the balances they change (a balance is immigration − emigration) */
function withBalances(ctx: WitnessContext, moves: Map<string, number>): Map<string, number> {
  const out = new Map(moves);
  for (const [k, d] of moves) {
    const p = parseKey(k);
    const b = `${p.geo}|${p.period}|balance|${p.cat}`;
    if (ctx.sys.vars.has(b)) out.set(b, (out.get(b) ?? 0) + (p.dir === "immigration" ? d : -d));
  }
  return out;
}

/** whether every relation that holds a moved cell still holds */
function holds(ctx: WitnessContext, moves: Map<string, number>): boolean {
  const checked = new Set<Relation>();
  for (const k of moves.keys()) if (ctx.fixed(k)) return false;
  for (const k of moves.keys())
    for (const r of ctx.index.get(k) ?? []) {
      if (checked.has(r)) continue;
      checked.add(r);
      const change = r.terms.reduce((s, [q, a]) => s + a * (moves.get(q) ?? 0), 0);
      if (Math.abs(change) > EPS) return false;
    }
  return true;
}

/** Whether a witness found for one move also allows `range` (every cell it moves keeps its bounds): the same other
 * table then does for both, without another LP. */
export function allows(ctx: WitnessContext, w: Witness, range: { down: number; up: number }): boolean {
  for (const [k, d] of w.moves) {
    if (k === w.target) continue;
    const t = ctx.truth(k);
    if (t === undefined) return false;
    const [lo, hi] = readerBounds(ctx, k);
    for (const x of [t + d * range.up, t - d * range.down]) if (x < lo - EPS || x > hi + EPS) return false;
  }
  return true;
}
