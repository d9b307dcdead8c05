import { type LinearProgram, type LpSolution, lpSolver } from "./highs.ts";
import { protectedBounds } from "./propagate.ts";
import { isHiddenKind, type Relation, type System, type Var } from "./system.ts";

/*
 * The audit's solver: for every hidden cell, the smallest and the largest value it can take given everything
 * published, as a linear program solved by HiGHS (the solver behind SciPy, here compiled to WebAssembly: the `highs`
 * package). This is the audit τ-Argus makes of a suppression pattern. The system splits into independent parts (the
 * hidden and unpublished cells linked by relations); each part is one LP, solved for each of its hidden cells
 * (minimum, maximum) unless a solution found for another cell already shows the cell at both ends its marker allows.
 *
 * An LP treats the cells as real numbers; the bounds it starts from are those of propagate.ts, where every cell is a
 * whole number. The interval it finds contains every value a reader can prove, so a cell it finds protected is
 * protected; for the small sums of these tables the LP's corners are whole numbers, so it rarely finds a cell wider
 * than it is.
 */

export interface Finding {
  key: string;
  kind: "primary" | "secondary" | "withheld";
  lo: number;
  hi: number;
  /** the relations of its part of the system (for the report) */
  why: string[];
}

export interface LpStats {
  parts: number;
  largest: number;
  solves: number;
  hidden: number;
}

const EPS = 1e-6;
/** a balance is hidden with its counts; what must stay protected is the counts */
const isCount = (key: string) => {
  const d = key.split("|")[2];
  return d === "immigration" || d === "emigration";
};

const INF = Number.POSITIVE_INFINITY;

/**
 * Presolve: a variable no one needs the value of (not hidden) that is in one relation only can be taken out. In an
 * equation with no bound on it, the equation says nothing about the rest; with a bound on one side it becomes an
 * inequality on the rest; in an inequality it is set to the bound that makes it easiest to meet. Repeated until no
 * such variable is left. The intervals of the hidden cells are unchanged, and the system falls apart into far
 * smaller independent parts (a hidden balance no longer ties a municipality's immigration to its emigration).
 */
export function presolve(sys: System): Relation[] {
  let rels = sys.relations.map((r) => ({
    ...r,
    terms: r.terms.filter(([k]) => sys.vars.get(k)!.kind !== "published"),
    rhs:
      r.rhs -
      r.terms.reduce((a, [k, c]) => {
        const v = sys.vars.get(k)!;
        return v.kind === "published" ? a + c * v.value! : a;
      }, 0),
  }));
  rels = rels.filter((r) => r.terms.length);
  const uses = new Map<string, Set<number>>();
  rels.forEach((r, i) => {
    for (const [k] of r.terms) {
      const u = uses.get(k) ?? new Set<number>();
      u.add(i);
      uses.set(k, u);
    }
  });
  const alive = rels.map(() => true);
  const queue = [...uses.keys()];
  for (let head = 0; head < queue.length; head++) {
    const k = queue[head]!;
    const v = sys.vars.get(k)!;
    const u = uses.get(k)!;
    if (v.kind !== "free" || u.size !== 1) continue;
    const i = [...u][0]!;
    const r = rels[i]!;
    const a = r.terms.find(([q]) => q === k)![1];
    // the term's smallest and largest contribution
    const lo = a > 0 ? a * v.lo : a * v.hi;
    const hi = a > 0 ? a * v.hi : a * v.lo;
    let next: typeof r | undefined;
    const rest = r.terms.filter(([q]) => q !== k);
    if (r.op === "<=") next = lo === -INF ? undefined : { ...r, terms: rest, rhs: r.rhs - lo };
    else if (lo === -INF && hi === INF) next = undefined;
    else if (lo === -INF) next = { ...r, terms: rest.map(([q, c]) => [q, -c]), rhs: -(r.rhs - hi), op: "<=" };
    else if (hi === INF) next = { ...r, terms: rest, rhs: r.rhs - lo, op: "<=" };
    else continue; // bounded on both sides: keep it
    u.clear();
    if (!next?.terms.length) {
      alive[i] = false;
      for (const [q] of rest) {
        uses.get(q)!.delete(i);
        queue.push(q);
      }
    } else {
      rels[i] = next;
      for (const [q] of rest) queue.push(q);
    }
  }
  return rels.filter((_, i) => alive[i]).map((r) => ({ ...r }));
}

/** Independent parts: the unknown (hidden or free) variables linked by relations. */
export function parts(sys: System): { vars: Var[]; relations: Relation[] }[] {
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let r = k;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let c = k;
    while (c !== r) {
      const n = parent.get(c)!;
      parent.set(c, r);
      c = n;
    }
    return r;
  };
  const unknown = (k: string) => sys.vars.get(k)!.kind !== "published";
  const relations = presolve(sys);
  for (const r of relations) for (const [k] of r.terms) parent.set(k, k);
  for (const v of sys.vars.values()) if (isHiddenKind(v.kind)) parent.set(v.key, v.key);
  for (const r of relations) {
    const ks = r.terms.map(([k]) => k).filter(unknown);
    for (let i = 1; i < ks.length; i++) {
      const a = find(ks[0]!);
      const b = find(ks[i]!);
      if (a !== b) parent.set(a, b);
    }
  }
  const groups = new Map<string, { vars: Var[]; relations: Relation[] }>();
  for (const k of parent.keys()) {
    const root = find(k);
    const g = groups.get(root) ?? { vars: [], relations: [] };
    g.vars.push(sys.vars.get(k)!);
    groups.set(root, g);
  }
  for (const r of relations) {
    const k = r.terms.find(([k]) => unknown(k));
    if (k) groups.get(find(k[0]))!.relations.push(r);
  }
  return [...groups.values()].filter((g) => g.vars.some((v) => isHiddenKind(v.kind)));
}

/** what `lpAudit` proved of a cell: its key and the marker it was proved for ("<5" promises more than "x") */
const proofOf = (v: Var) => `${v.key}#${v.kind}`;

// fifteen significant digits, as when the LP was text
const num = (x: number) => (Number.isInteger(x) ? x : Number(x.toPrecision(15)));

/** The part's LP, with the objective left to fill in: its rows and each cell's bounds, by cell. */
function lpBody(part: { vars: Var[]; relations: Relation[] }, sys: System, cap = Number.POSITIVE_INFINITY) {
  const rows: { terms: [string, number][]; lower: number; upper: number }[] = [];
  for (const r of part.relations) {
    let rhs = r.rhs;
    const terms: [string, number][] = [];
    for (const [k, a] of r.terms) {
      const v = sys.vars.get(k)!;
      if (v.kind === "published") rhs -= a * v.value!;
      else terms.push([k, Math.sign(a) * num(Math.abs(a))]);
    }
    if (terms.length) rows.push({ terms, lower: r.op === "=" ? num(rhs) : -INF, upper: num(rhs) });
  }
  if (!rows.length) rows.push({ terms: [[part.vars[0]!.key, 0]], lower: 0, upper: 0 });
  const bounds = part.vars.map((v) => {
    const top = isHiddenKind(v.kind) ? Math.min(v.hi, cap) : v.hi;
    return [v.key, v.lo === -INF ? -INF : num(v.lo), top === INF ? INF : num(top)] as const;
  });
  return { rows, bounds };
}

/** The LP that minimises or maximises the sum of `objective`'s cells, its columns numbered as HiGHS's reader of the
 * LP format numbered them (highs.ts). */
function program(sense: "min" | "max", objective: string[], body: ReturnType<typeof lpBody>) {
  const col = new Map<string, number>();
  const of = (k: string) => col.get(k) ?? col.set(k, col.size).get(k)!;
  for (const k of objective) of(k);
  const rows = body.rows.map((r) => {
    const cols = new Map<number, number>();
    for (const [k, a] of r.terms) cols.set(of(k), (cols.get(of(k)) ?? 0) + a);
    return { cols: [...cols.keys()], coefs: [...cols.values()], lower: r.lower, upper: r.upper };
  });
  for (const [k] of body.bounds) of(k);
  const lp: LinearProgram = { sense, cost: [], lower: [], upper: [], rows };
  for (let i = 0; i < col.size; i++) lp.cost.push(0);
  for (const k of objective) lp.cost[col.get(k)!] = 1;
  for (const [k, lo, hi] of body.bounds) {
    lp.lower[col.get(k)!] = lo;
    lp.upper[col.get(k)!] = hi;
  }
  return { lp, col };
}

/**
 * The hidden cells of `sys` that a reader can narrow below what their marker says: a "<5" cell whose smallest or
 * largest possible value is not 1 or minCount − 1, an "x" cell with less than one whole unit of room.
 */
export async function lpAudit(
  sys: System,
  minCount: number,
  skip?: ReadonlySet<string>,
): Promise<{ findings: Finding[]; proven: string[]; stats: LpStats }> {
  const solveLp = await lpSolver();
  const findings: Finding[] = [];
  const proven: string[] = [];
  const stats: LpStats = { parts: 0, largest: 0, solves: 0, hidden: 0 };
  for (const part of parts(sys)) {
    const hidden = part.vars.filter((v) => isHiddenKind(v.kind) && isCount(v.key));
    if (!hidden.length) continue;
    stats.parts++;
    stats.largest = Math.max(stats.largest, part.vars.length);
    stats.hidden += hidden.length;
    // a part whose hidden cells all keep their marker's range under the propagated bounds, and that has no
    // relation left between them, needs no LP
    const body = lpBody(part, sys);
    const seenLo = new Map<string, number>();
    const seenHi = new Map<string, number>();
    const note = (res: LpSolution, col: Map<string, number>) => {
      for (const v of hidden) {
        const x = res.x[col.get(v.key)!]!;
        seenLo.set(v.key, Math.min(seenLo.get(v.key) ?? Number.POSITIVE_INFINITY, x));
        seenHi.set(v.key, Math.max(seenHi.get(v.key) ?? Number.NEGATIVE_INFINITY, x));
      }
    };
    const done = (v: Var) =>
      protectedBounds(
        v.kind,
        seenLo.get(v.key) ?? Number.POSITIVE_INFINITY,
        seenHi.get(v.key) ?? Number.NEGATIVE_INFINITY,
        minCount,
      );
    // batches first: one solution that pushes every open cell down at once (and one that pushes them up, capped so
    // that it is bounded; a capped solution is still a solution) shows most cells at both ends in a few solves
    const capped = lpBody(part, sys, 1e7);
    for (let pass = 0; pass < 4; pass++) {
      const open = hidden.filter((v) => !done(v) && !skip?.has(proofOf(v)));
      if (open.length < 2) break;
      const before = open.length;
      for (const sense of ["min", "max"] as const) {
        stats.solves++;
        const { lp, col } = program(
          sense,
          open.map((v) => v.key),
          sense === "max" ? capped : body,
        );
        const res = solveLp(lp);
        if (res.status === "optimal") note(res, col);
      }
      if (hidden.filter((v) => !done(v) && !skip?.has(proofOf(v))).length > before / 2) break;
    }
    const bound = (sense: "min" | "max", v: Var): number => {
      stats.solves++;
      const { lp, col } = program(sense, [v.key], body);
      const res = solveLp(lp);
      if (res.status === "unbounded") return sense === "min" ? -INF : INF;
      if (res.status !== "optimal") throw new Error(`HiGHS: ${res.status} for ${v.key}`);
      note(res, col);
      return res.x[col.get(v.key)!]!;
    };
    for (const v of hidden) {
      if (skip?.has(proofOf(v))) continue;
      if (done(v)) {
        proven.push(proofOf(v));
        continue;
      }
      const lo = bound("min", v);
      if (done(v)) {
        proven.push(proofOf(v));
        continue;
      }
      const hi = bound("max", v);
      if (done(v) || protectedBounds(v.kind, lo, hi, minCount)) {
        proven.push(proofOf(v));
        continue;
      }
      findings.push({
        key: v.key,
        kind: v.kind as Finding["kind"],
        lo: round(lo),
        hi: round(hi),
        why: [...new Set(part.relations.filter((r) => r.terms.some(([k]) => k === v.key)).map((r) => r.why))],
      });
    }
  }
  return { findings, proven, stats };
}

const round = (x: number) => (Number.isFinite(x) ? Math.round(x / EPS) * EPS : x);

/** Published counts of 1 to minCount − 1: each breaks the rule outright. */
export function smallPublished(sys: System, minCount: number): string[] {
  return [...sys.vars.values()]
    .filter((v) => v.kind === "published" && isCount(v.key) && !v.key.includes("|rest:"))
    .filter((v) => v.value! >= 1 && v.value! < minCount)
    .map((v) => v.key);
}
