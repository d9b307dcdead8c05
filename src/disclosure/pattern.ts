import { checkPattern } from "./audit.ts";
import { parseKey } from "./keys.ts";
import type { Evaluate, Pattern, Truth } from "./pattern-types.ts";
import { relationIndex } from "./propagate.ts";
import { protector, trueValues } from "./protect.ts";
import { buildSystem, type Categories, type Kind, type Round, type System } from "./system.ts";

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

export type { Evaluate, HiddenCell, HiddenKind, Pattern, Truth } from "./pattern-types.ts";

const isCount = (key: string) => {
  const d = parseKey(key).dir;
  return d === "immigration" || d === "emigration";
};

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
  /** the categories of breakdowns published as their total only (withheldCells) */
  withheld: string[] = [],
): Promise<Pattern> {
  const hidden: Pattern["hidden"] = new Map();
  const prev = previous.marking;
  const stats: Pattern["stats"] = {
    ...{ primary: 0, secondary: 0, withheld: 0, carried: 0, witnesses: 0 },
    ...{ lpSolves: 0, lpParts: 0, largestPart: 0, unprotected: [] },
  };
  // a cell an earlier round published stays published; one it hid stays hidden; a new count of 1–4 is a primary
  for (const [k, h] of prev)
    if ((h.kind === "primary" || h.kind === "secondary" || h.kind === "withheld") && isCount(k))
      hidden.set(k, { kind: h.kind });
  for (const [k, v] of truth)
    if (isCount(k) && !prev.has(k) && v >= 1 && v < minCount) hidden.set(k, { kind: "primary" });
  const newlyWithheld = withheld.filter((k) => !prev.has(k) && !hidden.has(k));
  for (const k of newlyWithheld) hidden.set(k, { kind: "withheld" });
  const marking = (key: string) => {
    const h = hidden.get(key);
    if (h) return { kind: h.kind as Kind };
    const v = truth.get(key);
    return prev.get(key) ?? (v === undefined ? undefined : { kind: "published" as Kind, value: v });
  };
  // the facts (shares, rates) of a hidden count are hidden with it: the pattern's system leaves them out
  const noFacts = (r: Round): Round => ({ geo: r.geo, editions: r.editions.map((e) => ({ ...e, facts: [] })) });
  const sys = buildSystem([noFacts(current), ...previous.rounds.map(noFacts)], cats, marking, minCount);
  const index = relationIndex(sys);
  const values = trueValues(sys, truth, previous.truth, [evaluate, ...(previous.evaluate ?? [])]);
  const geos = [current.geo, ...previous.rounds.map((r) => r.geo)];
  const p = protector({ sys, index, values, hidden, prev, truth, geo: current.geo, geos, minCount });
  const { primaries, carried } = targetsOf(sys, hidden, prev, truth, values, previous.rounds);
  for (const k of [...primaries, ...newlyWithheld.filter((q) => values.has(q)), ...carried])
    if (!(await p.protectOrDemote(k))) stats.unprotected.push(k);
  // a primary now shown "x" (a total of hidden parts) must be able to reach minCount: a witness of its own
  for (const k of primaries)
    if (p.shownAs(k) === "secondary" && !(await p.protectOrDemote(k))) stats.unprotected.push(k);
  // the audit's check of the whole pattern; a cell it can narrow gets a witness of its own
  for (let pass = 0; pass < 3; pass++) {
    const found = await checkPattern(sys, hidden, p.shownAs, minCount, stats);
    if (!found.length) break;
    for (const k of found) if (!(await p.protectOrDemote(k))) stats.unprotected.push(k);
  }
  for (const [k, h] of hidden) {
    if (prev.has(k)) stats.carried++;
    else stats[h.kind]++;
    if (h.kind === "primary") h.shown = p.shownAs(k);
  }
  stats.witnesses = p.witnesses.length;
  stats.unprotected = [...new Set(stats.unprotected)].sort();
  return { minCount, hidden, stats };
}

/**
 * The cells to protect: the new primaries (totals first, municipalities before areas: their witnesses hide the
 * most, and the parts' witnesses can then use what they hid), then the cells hidden before that a new relation of
 * this round holds (a relation is new when it holds a cell that this round publishes and no earlier round did).
 */
function targetsOf(
  sys: System,
  hidden: Pattern["hidden"],
  prev: Map<string, { kind: Kind; value?: number }>,
  truth: Truth,
  values: Map<string, number>,
  before: Round[],
) {
  const prevKeys = new Set(before.flatMap((r) => r.editions.flatMap((e) => e.cells.map((c) => c.key))));
  const isNew = (q: string) => truth.has(q) && !prevKeys.has(q);
  const carried = new Set<string>();
  for (const r of sys.relations)
    if (r.terms.some(([q]) => isNew(q)))
      for (const [q] of r.terms) if (prev.has(q) && hidden.has(q) && isCount(q) && values.has(q)) carried.add(q);
  const order = (k: string) => {
    const q = parseKey(k);
    return (q.cat === "T" ? 0 : 2) + (/000(#|$)/.test(q.geo) ? 1 : 0);
  };
  const primaries = [...hidden.keys()]
    .filter((k) => hidden.get(k)!.kind === "primary" && !prev.has(k) && values.has(k))
    .sort((a, b) => order(a) - order(b) || (a < b ? -1 : 1));
  return { primaries, carried: [...carried].sort() };
}

/**
 * The categories of breakdowns that would tell a shared attribute of a few persons, to be published as their total
 * only (README § Confidentiality): every category of a small area's breakdowns (`small`: the codes of the areas below
 * the rule's population for a rate), and elsewhere the zeros of a breakdown whose only non-zero category is a count of
 * 1 to minCount − 1 ("all the immigrants were Bulgarian men" without saying how many). A breakdown of nobody tells
 * nothing and is published. The small counts themselves are primaries already.
 */
export function withheldCells(truth: Truth, minCount: number, small: Set<string>): string[] {
  const breakdowns = new Map<string, string[]>();
  for (const k of truth.keys()) {
    const q = parseKey(k);
    if (q.dir !== "immigration" && q.dir !== "emigration") continue;
    const family = /^([cgs]):[^:]+$/.exec(q.cat)?.[1];
    if (!family) continue;
    const id = `${q.geo}|${q.period}|${q.dir}|${family}`;
    (breakdowns.get(id) ?? breakdowns.set(id, []).get(id)!).push(k);
  }
  const out: string[] = [];
  const isSmall = (v: number) => v >= 1 && v < minCount;
  for (const keys of breakdowns.values()) {
    const nonzero = keys.filter((k) => truth.get(k)! > 0);
    if (!nonzero.length) continue;
    if (small.has(parseKey(keys[0]!).code)) out.push(...keys.filter((k) => !isSmall(truth.get(k)!)));
    else if (nonzero.length === 1 && isSmall(truth.get(nonzero[0]!)!))
      out.push(...keys.filter((k) => truth.get(k) === 0));
  }
  return out.sort();
}

export type { System };
