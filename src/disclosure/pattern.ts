import { cellKey, parseKey, type RoundGeography } from "./keys.ts";
import { lpAudit } from "./lp.ts";
import { propagate, protectedBounds, relationIndex } from "./propagate.ts";
import { buildSystem, type Categories, type Kind, type Relation, type Round, type System } from "./system.ts";
import { findWitness, rectangleWitness, type Witness, type WitnessContext } from "./witness.ts";

/*
 * The suppression pattern of a round: one set of hidden cells for everything the round's editions publish, read
 * together with what the earlier rounds published (which stay online and cannot be taken back).
 *
 * Primary: every count of 1 to minCount − 1 persons that the round publishes for the first time. Secondary: for each
 * hidden cell, the cells its witness moves (witness.ts): the cheapest other table, consistent with everything
 * published, in which the cell takes every value its marker promises ("<5": 1 to minCount − 1; "x": two values, one
 * of them minCount or more). Cells hidden by an earlier round stay hidden; those that a new figure of this round
 * touches (a period that adds a hidden year to new ones, an area of a new composition) get a witness of their own.
 * A balance, share, rate or rank made from a hidden count is hidden with it (apply.ts). The audit's LP (lp.ts) then
 * checks the whole pattern; a cell it can narrow gets a witness over a wider area.
 *
 * The result depends only on the round's data and the earlier rounds' (their data and patterns), never on which
 * editions are built or in which order, so a round built in parts publishes one pattern.
 */

export type HiddenKind = "primary" | "secondary";

export interface Pattern {
  minCount: number;
  /** hidden cells of the round: why (a count of 1–4, or to protect one), the marker it is shown with, and for a
   * secondary one the cell it protects */
  hidden: Map<string, { kind: HiddenKind; shown?: HiddenKind; protects?: string }>;
  stats: {
    primary: number;
    secondary: number;
    /** hidden by an earlier round and published again */
    carried: number;
    witnesses: number;
    lpSolves: number;
    lpParts: number;
    largestPart: number;
    /** cells no witness could be found for (the round cannot be published as it is) */
    unprotected: string[];
  };
}

/** The values every cell of the round really has (from the computed, unpublished indicators). */
export type Truth = Map<string, number>;
/** The true value of any cell, published or not (undefined: not a count of the flows). */
export type Evaluate = (key: string) => number | undefined;

const isCount = (key: string) => {
  const d = parseKey(key).dir;
  return d === "immigration" || d === "emigration";
};

/** Where each code lies: its arrondissement, province and region, from every geography given. */
function ancestry(geos: RoundGeography[]) {
  const up = new Map<string, Set<string>>();
  const add = (c: string, a: string) => (up.get(c) ?? up.set(c, new Set()).get(c)!).add(a);
  const level = new Map<string, "m" | "a" | "p" | "r">();
  for (const g of geos) {
    for (const [m, w] of g.munis) {
      for (const a of [w.arrondissement, w.province, w.region]) add(m, a);
      add(w.arrondissement, w.province);
      add(w.arrondissement, w.region);
      add(w.province, w.region);
      level.set(m, "m");
      level.set(w.arrondissement, "a");
      level.set(w.province, "p");
      level.set(w.region, "r");
    }
    // the units of earlier years (a municipality merged since) lie where their successor lies
    for (const m of g.munis.keys())
      for (let y = g.year - 8; y <= g.year; y++)
        for (const u of g.unitsOf(m, y))
          if (u !== m) {
            level.set(u, level.get(u) ?? "m");
            for (const a of up.get(m) ?? []) add(u, a);
          }
  }
  return { up, level };
}

/**
 * The pattern of the round `current` (its true values in `truth`), read with `previous`: the earlier rounds, their
 * true values and how each of their cells was published (with its value, or hidden with its marker).
 */
export async function roundPattern(
  current: Round,
  truth: Truth,
  previous: {
    rounds: Round[];
    marking: Map<string, { kind: Kind; value?: number }>;
    truth?: Truth;
    /** the true value of any cell of an earlier round, published or not (truth.ts) */
    evaluate?: Evaluate[];
  },
  cats: Categories,
  minCount: number,
  /** the true value of any cell of this round, published or not (truth.ts) */
  evaluate?: Evaluate,
): Promise<Pattern> {
  const hidden: Pattern["hidden"] = new Map();
  const prev = previous.marking;
  const stats: Pattern["stats"] = {
    primary: 0,
    secondary: 0,
    carried: 0,
    witnesses: 0,
    lpSolves: 0,
    lpParts: 0,
    largestPart: 0,
    unprotected: [],
  };
  // a cell an earlier round published stays published; one it hid stays hidden; a new count of 1–4 is a primary
  for (const [k, h] of prev)
    if ((h.kind === "primary" || h.kind === "secondary") && isCount(k)) hidden.set(k, { kind: h.kind });
  for (const [k, v] of truth) {
    if (!isCount(k) || prev.has(k)) continue;
    if (v >= 1 && v < minCount) hidden.set(k, { kind: "primary" });
  }
  const marking = (key: string) => {
    const h = hidden.get(key);
    if (h) return { kind: h.kind as Kind };
    const p = prev.get(key);
    if (p) return p;
    const v = truth.get(key);
    return v === undefined ? undefined : { kind: "published" as Kind, value: v };
  };
  // the facts (shares, rates) of a hidden count are hidden with it: the pattern's system leaves them out
  const noFacts = (r: Round): Round => ({ geo: r.geo, editions: r.editions.map((e) => ({ ...e, facts: [] })) });
  const sys = buildSystem([noFacts(current), ...previous.rounds.map(noFacts)], cats, marking, minCount);
  const index = relationIndex(sys);
  const values = trueValues(sys, truth, previous.truth, [evaluate, ...(previous.evaluate ?? [])]);
  const { up, level } = ancestry([current.geo, ...previous.rounds.map((r) => r.geo)]);
  const codeOf = (k: string) => parseKey(k).code;
  const levelOf = (k: string) => level.get(codeOf(k)) ?? "m";
  const inArea = (k: string, area: string) => codeOf(k) === area || (up.get(codeOf(k))?.has(area) ?? false);
  /** new small counts shown "x" because no witness keeps every value from 1 to minCount − 1 for them or for a cell
   * they bound (a total whose parts are hidden inside unpublished cells, such as a merged municipality's earlier
   * years): "x" tells a reader less than "<5", so it is always safe */
  const demoted = new Set<string>();
  /** a total of two or more hidden parts is shown "x" ("<5" on it and on its parts would tell the parts apart) */
  const shownAs = (k: string): HiddenKind | undefined => {
    const h = hidden.get(k);
    if (!h) return undefined;
    if (h.kind !== "primary" || demoted.has(k)) return "secondary";
    for (const r of index.get(k) ?? [])
      if (r.total === k && r.why !== "balance" && r.terms.filter(([q]) => q !== k && hidden.has(q)).length >= 2)
        return "secondary";
    return "primary";
  };
  const weight = { m: 1, a: 6, p: 40, r: 400 };
  const ctx: WitnessContext = {
    sys,
    index,
    truth: (k) => values.get(k),
    fixed: (k) => prev.get(k)?.kind === "published" || (isCount(k) && values.get(k) === 0),
    shown: shownAs,
    // what a reader loses: more for a total than for a part, more the higher the area; a little more for more persons
    cost: (k) => {
      const cat = parseKey(k).cat;
      const w = weight[levelOf(k)] * (cat === "T" ? 4 : 1);
      return w * (2 + Math.log1p(values.get(k) ?? 0));
    },
    minCount,
  };
  const scopesOf = (k: string): string[] => {
    const c = codeOf(k);
    const above = [...(up.get(c) ?? [])];
    const byLevel = (l: string) => above.filter((a) => level.get(a) === l);
    return [...byLevel("a"), ...byLevel("p"), ...byLevel("r"), ...(level.get(c) === "r" ? [c] : [])];
  };
  /** the witnesses a hidden cell needs: a "<5" one that moves it down to 1 and one that moves it up to minCount − 1;
   * an "x" one that moves it to another value, one of them minCount or more (up, or down when it is that large) */
  const needsOf = (k: string): { down: number; up: number }[][] => {
    const t = values.get(k)!;
    if (shownAs(k) === "primary")
      return [[{ down: t - 1, up: 0 }], [{ down: 0, up: minCount - 1 - t }]].filter(([r]) => r!.down + r!.up > 0);
    const up = { down: 0, up: Math.max(1, minCount - t) };
    return [t >= minCount ? [up, { down: 1, up: 0 }] : [up]];
  };
  /** the cells of the same category of the other areas of the area's parent, in the same year (a rectangle's
   * other corner) */
  const geo = current.geo;
  const siblings = (k: string): string[] => {
    const p = parseKey(k);
    const y = Number(p.period);
    if (!Number.isInteger(y) || geo.geoKey(p.code, y) !== p.geo) return [];
    const parent = geo.parentOf(p.code);
    if (!parent) return [];
    return geo
      .childrenOf(parent, y)
      .filter((c) => c !== p.code)
      .map((c) => geo.geoKey(c, y));
  };
  const witnesses: Witness[] = [];
  const protect = async (k: string, scopes = scopesOf(k)) => {
    const dir = parseKey(k).dir;
    const found: Witness[] = [];
    for (const alternatives of needsOf(k)) {
      let w: Witness | undefined;
      for (const range of alternatives) {
        w = rectangleWitness(ctx, k, range, siblings);
        if (w) break;
      }
      for (const [n, area] of w ? [] : scopes.entries()) {
        for (const range of alternatives) {
          const inScope = (q: string) => {
            const d = parseKey(q).dir;
            return (d === dir || d === "balance") && inArea(q, area);
          };
          // the nearest cells first: most witnesses are a rectangle of four cells within one area
          w = await findWitness(ctx, k, range, inScope, n === 0 ? 200 : n === 1 ? 800 : 4000);
          if (w) break;
        }
        if (w) break;
      }
      if (!w) return false;
      found.push(w);
    }
    for (const w of found) {
      witnesses.push(w);
      for (const q of w.moves.keys())
        if (!hidden.has(q) && isCount(q) && truth.has(q)) hidden.set(q, { kind: "secondary", protects: k });
    }
    return true;
  };
  // the cells to protect: the new primaries (totals first: their witnesses hide the most, and the parts' witnesses
  // can then use what they hid), then the cells hidden before that a new relation of this round holds
  // (a relation is new when it holds a cell that this round publishes and no earlier round did)
  const prevKeys = new Set(previous.rounds.flatMap((r) => r.editions.flatMap((e) => e.cells.map((c) => c.key))));
  const isNew = (q: string) => truth.has(q) && !prevKeys.has(q);
  const touched = new Set<string>();
  for (const r of sys.relations)
    if (r.terms.some(([q]) => isNew(q)))
      for (const [q] of r.terms) if (prev.has(q) && hidden.has(q) && isCount(q)) touched.add(q);
  const order = (k: string) => {
    const p = parseKey(k);
    return (p.cat === "T" ? 0 : 2) + (levelOf(k) === "m" ? 0 : 1);
  };
  const targets = [
    ...[...hidden.keys()].filter((k) => hidden.get(k)!.kind === "primary" && !prev.has(k) && values.has(k)),
    ...[...touched].sort(),
  ];
  const primaries = targets.filter((k) => !prev.has(k)).sort((a, b) => order(a) - order(b) || (a < b ? -1 : 1));
  /** a cell whose witness cannot be found: the new "<5" cells it is linked with (and itself, when new) are shown "x"
   * instead, and it is tried again */
  const protectOrDemote = async (k: string) => {
    if (await protect(k)) return true;
    const near = new Set([k, ...(index.get(k) ?? []).flatMap((r) => r.terms.map(([q]) => q))]);
    const more = [...near].filter((q) => !prev.has(q) && hidden.get(q)?.kind === "primary" && !demoted.has(q));
    if (!more.length) return false;
    for (const q of more) demoted.add(q);
    return protect(k);
  };
  for (const k of [...primaries, ...targets.filter((k) => prev.has(k))]) {
    if (values.get(k) === undefined) continue;
    if (!(await protectOrDemote(k))) stats.unprotected.push(k);
  }
  // a primary now shown "x" (a total of hidden parts) must be able to reach minCount: a witness of its own
  for (const k of primaries) if (shownAs(k) === "secondary" && !(await protectOrDemote(k))) stats.unprotected.push(k);
  // the audit's check of the whole pattern; a cell it can narrow gets a witness over the whole region
  for (let pass = 0; pass < 3; pass++) {
    const found = await check(sys, hidden, shownAs, minCount, stats);
    if (!found.length) break;
    for (const k of found) if (!(await protectOrDemote(k))) stats.unprotected.push(k);
  }
  for (const [k, h] of hidden) {
    if (prev.has(k)) stats.carried++;
    else stats[h.kind]++;
    if (h.kind === "primary") h.shown = shownAs(k);
  }
  stats.witnesses = witnesses.length;
  stats.unprotected = [...new Set(stats.unprotected)].sort();
  return { minCount, hidden, stats };
}

/** The cells of the system the pattern's reader can narrow (propagation, then the LP). */
async function check(
  sys: System,
  hidden: Pattern["hidden"],
  shownAs: (k: string) => HiddenKind | undefined,
  minCount: number,
  stats: Pattern["stats"],
): Promise<string[]> {
  const saved = new Map([...sys.vars].map(([k, v]) => [k, { ...v }]));
  for (const [k, v] of sys.vars) {
    const s = hidden.has(k) ? shownAs(k) : undefined;
    const balance = parseKey(k).dir === "balance";
    const p = parseKey(k);
    const counts = [cellKey(p.geo, p.period, "immigration", p.cat), cellKey(p.geo, p.period, "emigration", p.cat)];
    if (balance && counts.some((c) => hidden.has(c)))
      Object.assign(v, { kind: "free", value: undefined, lo: Number.NEGATIVE_INFINITY, hi: Number.POSITIVE_INFINITY });
    else if (s)
      Object.assign(v, {
        kind: s,
        value: undefined,
        lo: 1,
        hi: s === "primary" ? minCount - 1 : Number.POSITIVE_INFINITY,
      });
  }
  propagate(sys);
  let found = [...sys.vars.values()]
    .filter((v) => (v.kind === "primary" || v.kind === "secondary") && isCount(v.key))
    .filter((v) => !protectedBounds(v.kind, v.lo, v.hi, minCount))
    .map((v) => v.key);
  if (!found.length) {
    const lp = await lpAudit(sys, minCount);
    stats.lpSolves += lp.stats.solves;
    stats.lpParts = lp.stats.parts;
    stats.largestPart = Math.max(stats.largestPart, lp.stats.largest);
    found = lp.findings.map((f) => f.key);
  }
  for (const [k, v] of saved) Object.assign(sys.vars.get(k)!, v);
  return found.sort();
}

/**
 * The true value of every cell of the system: the computed ones, and those nobody publishes (the rest of a top
 * list, a nationality a list leaves out) where one relation gives them from cells whose values are known.
 */
function trueValues(
  sys: System,
  truth: Truth,
  before: Truth | undefined,
  evaluate: (Evaluate | undefined)[],
): Map<string, number> {
  const values = new Map<string, number>(before ?? []);
  for (const [k, v] of truth) values.set(k, v);
  for (const k of sys.vars.keys()) {
    if (values.has(k)) continue;
    for (const f of evaluate) {
      const v = f?.(k);
      if (v !== undefined) {
        values.set(k, v);
        break;
      }
    }
  }
  for (let more = true; more; ) {
    more = false;
    for (const r of sys.relations as Relation[]) {
      if (r.op !== "=") continue;
      const unknown = r.terms.filter(([q]) => !values.has(q));
      if (unknown.length !== 1) continue;
      const [q, a] = unknown[0]!;
      const rest = r.terms.reduce((s, [p, c]) => (p === q ? s : s + c * values.get(p)!), 0);
      values.set(q, (r.rhs - rest) / a);
      more = true;
    }
  }
  return values;
}

export type { System };
