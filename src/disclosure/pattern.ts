import { cellKey, parseKey } from "./keys.ts";
import { lpAudit } from "./lp.ts";
import { propagate, protectedBounds, relationIndex } from "./propagate.ts";
import { buildSystem, type Categories, type Kind, type Round, type System, type Var } from "./system.ts";

/*
 * The suppression pattern of a round: one set of hidden cells for everything the round's editions publish, read
 * together with what the previous round published (which stays online and cannot be taken back).
 *
 * Primary: every count of 1 to minCount − 1 persons. Secondary: chosen until a reader who knows the rule, the
 * markers and every relation of the system (system.ts) can narrow no hidden count: a "<5" cell keeps every value
 * from 1 to minCount − 1, an "x" cell at least two whole values. Each step hides, in the relations that give a
 * hidden cell away, the published count with the fewest persons (the cheapest cell that breaks the relation); a
 * balance, share, rate or rank made from a hidden count is hidden with it (apply.ts). The loop first uses bounds
 * propagation (fast), then the LP audit (exact for the linear system) until the LP finds nothing either.
 *
 * The result depends only on the round's data and the previous round's pattern, never on which editions are built
 * or in which order, so a round built in parts publishes one pattern.
 */

export type HiddenKind = "primary" | "secondary";

export interface Pattern {
  minCount: number;
  /** hidden cells of the round: why (a count of 1–4, or to protect one), the marker it is shown with, and for a
   * secondary one the cell it protects */
  hidden: Map<string, { kind: HiddenKind; shown?: HiddenKind; protects?: string }>;
  stats: { primary: number; secondary: number; rounds: number; lpSolves: number; lpParts: number; largestPart: number };
}

/** The values every cell of the round really has (from the computed, unpublished indicators). */
export type Truth = Map<string, number>;

/** the row of a table a count is a part of: its area, period and direction, and the kind of category (components,
 * nationality groups, sexes); undefined for a total, a nationality or a balance */
const rowOf = (key: string) => {
  const p = parseKey(key);
  const kind = p.cat.split(":")[0];
  if (p.dir === "balance" || !(kind === "c" || kind === "g" || kind === "s")) return undefined;
  return `${p.geo}|${p.period}|${p.dir}|${kind}`;
};

const isCount = (key: string) => {
  const d = parseKey(key).dir;
  return d === "immigration" || d === "emigration";
};

/**
 * The pattern of the round `current` (its true values in `truth`), read with `previous`: the earlier rounds as they
 * were published (each cell's marking: published with its value, or hidden with its marker).
 */
export async function roundPattern(
  current: Round,
  truth: Truth,
  previous: { rounds: Round[]; marking: Map<string, { kind: Kind; value?: number }> },
  cats: Categories,
  minCount: number,
): Promise<Pattern> {
  const hidden: Pattern["hidden"] = new Map();
  const prev = previous.marking;
  // a cell the previous round published stays published; one it hid stays hidden
  for (const [k, v] of truth) {
    if (!isCount(k)) continue;
    const p = prev.get(k);
    if (p && p.kind === "published" && p.value === v) continue;
    if (p && (p.kind === "primary" || p.kind === "secondary")) hidden.set(k, { kind: p.kind });
    else if (v >= 1 && v < minCount) hidden.set(k, { kind: "primary" });
  }
  const marking = (key: string) => {
    const h = hidden.get(key);
    if (h) return { kind: h.kind as Kind };
    const v = truth.get(key);
    if (v !== undefined) return { kind: "published" as Kind, value: v };
    return prev.get(key);
  };
  // the facts (shares, rates) of a hidden count are hidden with it: the pattern's system leaves them out
  const noFacts = (r: Round): Round => ({ geo: r.geo, editions: r.editions.map((e) => ({ ...e, facts: [] })) });
  const sys = buildSystem([noFacts(current), ...previous.rounds.map(noFacts)], cats, marking, minCount);
  const index = relationIndex(sys);
  const initial = new Map([...sys.vars].map(([k, v]) => [k, { ...v }]));
  const stats = { primary: 0, secondary: 0, rounds: 0, lpSolves: 0, lpParts: 0, largestPart: 0 };
  const balanceOf = (k: string) => {
    const p = parseKey(k);
    return cellKey(p.geo, p.period, "balance", p.cat);
  };
  /** the marking of the variables for the current hidden set (balances hidden with their counts) */
  const reset = () => {
    for (const [k, v] of sys.vars) {
      const init = initial.get(k)!;
      Object.assign(v, init);
    }
    for (const [k, h] of hidden) {
      setHidden(sys.vars.get(k), shownAs(k, h.kind));
      setHidden(sys.vars.get(balanceOf(k)), "secondary");
    }
  };
  /** a count of 1–4 that is the total of two or more hidden parts is shown "x": "<5" on it and on its parts would
   * tell the parts apart (four "<5" parts of a "<5" total are 1 each) */
  const shownAs = (k: string, kind: HiddenKind): HiddenKind => {
    if (kind !== "primary") return kind;
    for (const r of index.get(k) ?? [])
      if (r.total === k && r.terms.filter(([q]) => q !== k && hidden.has(q)).length >= 2) return "secondary";
    return "primary";
  };
  const setHidden = (v: Var | undefined, kind: HiddenKind) => {
    if (!v) return;
    const balance = parseKey(v.key).dir === "balance";
    // a hidden balance needs no protection of its own (its counts have it): for the solver it is just unknown
    v.kind = balance ? "free" : kind;
    v.value = undefined;
    v.lo = kind === "primary" ? 1 : balance ? Number.NEGATIVE_INFINITY : 1;
    v.hi = kind === "primary" ? minCount - 1 : Number.POSITIVE_INFINITY;
  };
  const canHide = (k: string) => {
    if (!isCount(k) || hidden.has(k) || prev.get(k)?.kind === "published") return false;
    const v = truth.get(k);
    return v !== undefined && v > 0;
  };
  /** the cheapest count to hide so that `leak` is no longer given away: nearest relations first */
  const pick = (leak: string): string | undefined => {
    const frontier = new Set([leak]);
    const seen = new Set<string>([leak]);
    for (let depth = 0; depth < 6 && frontier.size; depth++) {
      const options = new Set<string>();
      const next = new Set<string>();
      for (const k of frontier)
        for (const r of index.get(k) ?? [])
          for (const [q] of r.terms) {
            const v = sys.vars.get(q)!;
            if (v.kind === "published") {
              const p = parseKey(q);
              if (p.dir === "balance") {
                for (const d of ["immigration", "emigration"]) {
                  const c = cellKey(p.geo, p.period, d, p.cat);
                  if (canHide(c)) options.add(c);
                }
              } else if (canHide(q)) options.add(q);
            } else if (!seen.has(q)) {
              seen.add(q);
              next.add(q);
            }
          }
      if (options.size) {
        // the cheapest: the one that leaves no sum with a single hidden cell (it closes a rectangle with cells hidden
        // already), then the fewest persons
        const cost = (q: string) => [lonely(q), truth.get(q)!] as const;
        return [...options]
          .map((q) => ({ q, c: cost(q) }))
          .sort((a, b) => a.c[0] - b.c[0] || a.c[1] - b.c[1] || (a.q < b.q ? -1 : 1))[0]!.q;
      }
      frontier.clear();
      for (const q of next) frontier.add(q);
    }
    return undefined;
  };
  /** how many sums would have `q` as their only hidden cell if it were hidden */
  const lonely = (q: string) => {
    let n = 0;
    for (const r of index.get(q) ?? []) {
      if (r.why === "balance") continue;
      if (!r.terms.some(([k]) => k !== q && isCount(k) && sys.vars.get(k)!.kind !== "published")) n++;
    }
    return n;
  };
  const hideFor = (leaks: string[]) => {
    let added = 0;
    for (const leak of leaks.sort()) {
      const c = pick(leak);
      if (c && !hidden.has(c)) {
        hidden.set(c, { kind: "secondary", protects: leak });
        setHidden(sys.vars.get(c), "secondary");
        setHidden(sys.vars.get(balanceOf(c)), "secondary");
        added++;
      }
    }
    return added;
  };
  // 1. whole tables first, as the hypercube method does: a row of a table (an area's components, nationality groups
  //    or sexes of one year and direction) with a count of 1–4 is hidden but for its total, and so is the row of the
  //    sibling area with the fewest movements when no other row of the parent's table is hidden (each column then
  //    has two hidden cells). The loop below then only mends what this leaves.
  const geo = current.geo;
  const rows = new Map<string, string[]>();
  for (const k of truth.keys()) {
    const row = rowOf(k);
    if (row) rows.set(row, [...(rows.get(row) ?? []), k]);
  }
  const hideRow = (row: string, protects: string) => {
    let n = 0;
    for (const c of rows.get(row) ?? [])
      if (canHide(c)) {
        hidden.set(c, { kind: "secondary", protects });
        n++;
      }
    return n;
  };
  const hiddenRows = new Set<string>();
  for (const [k, h] of [...hidden])
    if (h.kind === "primary") {
      const row = rowOf(k);
      if (row && !hiddenRows.has(row)) {
        hideRow(row, k);
        hiddenRows.add(row);
      }
    }
  for (const row of [...hiddenRows]) {
    const [g, period, dir, prefix] = row.split("|") as [string, string, string, string];
    const y = Number(period);
    const parent = geo.parentOf(g.split("#")[0]!);
    if (!parent || !Number.isInteger(y)) continue;
    const siblings = geo
      .childrenOf(parent, y)
      .map((c) => `${geo.geoKey(c, y)}|${period}|${dir}|${prefix}`)
      .filter((r) => rows.has(r));
    if (siblings.length < 2 || siblings.filter((r) => hiddenRows.has(r)).length > 1) continue;
    const total = (r: string) => truth.get(`${r.split("|").slice(0, 3).join("|")}|T`) ?? Number.POSITIVE_INFINITY;
    const partner = siblings
      .filter((r) => !hiddenRows.has(r) && (rows.get(r) ?? []).some(canHide))
      .sort((a, b) => total(a) - total(b) || (a < b ? -1 : 1))[0];
    if (partner) {
      hideRow(partner, row);
      hiddenRows.add(partner);
    }
  }
  // 2. then, relation by relation, the cheapest cell that breaks what still gives a hidden count away
  const proven = new Set<string>();
  for (let guard = 0; guard < 400; guard++) {
    stats.rounds++;
    reset();
    propagate(sys, index);
    const leaks = [...sys.vars.values()]
      .filter((v) => (v.kind === "primary" || v.kind === "secondary") && isCount(v.key))
      .filter((v) => !protectedBounds(v.kind, v.lo, v.hi, minCount))
      .map((v) => v.key);
    if (leaks.length) {
      if (hideFor(leaks)) continue;
      break; // nothing left to hide near them: the audit will say so
    }
    // hiding more cells only widens what a reader can prove: a cell the LP found protected stays protected
    const lp = await lpAudit(sys, minCount, proven);
    for (const k of lp.proven) proven.add(k);
    stats.lpSolves += lp.stats.solves;
    stats.lpParts = lp.stats.parts;
    stats.largestPart = Math.max(stats.largestPart, lp.stats.largest);
    if (!lp.findings.length || !hideFor(lp.findings.map((f) => f.key))) break;
  }
  for (const [k, h] of hidden) {
    stats[h.kind]++;
    if (h.kind === "primary") h.shown = shownAs(k, "primary");
  }
  return { minCount, hidden, stats };
}

export type { System };
