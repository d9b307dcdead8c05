import { parseKey, type RoundGeography } from "./keys.ts";
import type { HiddenKind, Pattern } from "./pattern-types.ts";
import type { Kind, Relation, System } from "./system.ts";
import { allows, findWitness, rectangleWitness, type Witness, type WitnessContext } from "./witness.ts";

/*
 * What the pattern needs to find a witness for a hidden cell (witness.ts): where each cell lies (its arrondissement,
 * province and region: the areas a witness looks in, nearest first), what hiding it costs, how far it must move,
 * and how each cell is shown ("<5", or "x" when it is a total of hidden parts or no "<5" witness exists for it).
 */

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

/** the areas a witness looks in: the cell's arrondissement, its province, its region */
function scopesOf(up: Map<string, Set<string>>, level: Map<string, string>, c: string): string[] {
  const above = [...(up.get(c) ?? [])];
  const byLevel = (l: string) => above.filter((a) => level.get(a) === l);
  return [...byLevel("a"), ...byLevel("p"), ...byLevel("r"), ...(level.get(c) === "r" ? [c] : [])];
}

/** the witnesses a hidden cell of value `t` needs: a "<5" one that moves it down to 1 and one that moves it up to
 * minCount − 1; an "x" one that moves it to another value, one of them minCount or more (up, or down when it is that
 * large); a withheld one that moves it to any other value */
function needsOf(t: number, shown: HiddenKind | undefined, minCount: number): { down: number; up: number }[][] {
  if (shown === "withheld")
    return [
      t > 0
        ? [
            { down: 0, up: 1 },
            { down: 1, up: 0 },
          ]
        : [{ down: 0, up: 1 }],
    ];
  if (shown === "primary")
    return [[{ down: t - 1, up: 0 }], [{ down: 0, up: minCount - 1 - t }]].filter(([r]) => r!.down + r!.up > 0);
  const upward = { down: 0, up: Math.max(1, minCount - t) };
  return [t >= minCount ? [upward, { down: 1, up: 0 }] : [upward]];
}

/** the cells of the same category of the other areas of the area's parent, in the same year (a rectangle's other
 * corner) */
function siblings(geo: RoundGeography, k: string): string[] {
  const q = parseKey(k);
  const y = Number(q.period);
  if (!Number.isInteger(y) || geo.geoKey(q.code, y) !== q.geo) return [];
  const parent = geo.parentOf(q.code);
  if (!parent) return [];
  return geo
    .childrenOf(parent, y)
    .filter((c) => c !== q.code)
    .map((c) => geo.geoKey(c, y));
}

export interface Protector {
  /** how a hidden cell is shown now */
  shownAs(k: string): HiddenKind | undefined;
  /** finds the witnesses a hidden cell needs and hides what they move; false: none found */
  protect(k: string): Promise<boolean>;
  /** protect, and when no witness exists, shows the new "<5" cells linked with it as "x" and tries again */
  protectOrDemote(k: string): Promise<boolean>;
  witnesses: Witness[];
}

/**
 * The witnesses of a round's hidden cells: `hidden` (the pattern so far) grows with the cells they move. `geo` is
 * the round's geography; `geos` every geography of the rounds read together.
 */
export function protector(p: {
  sys: System;
  index: Map<string, Relation[]>;
  values: Map<string, number>;
  hidden: Pattern["hidden"];
  prev: Map<string, { kind: Kind; value?: number }>;
  truth: Map<string, number>;
  geo: RoundGeography;
  geos: RoundGeography[];
  minCount: number;
}): Protector {
  const { sys, index, values, hidden, prev, truth, geo, minCount } = p;
  const { up, level } = ancestry(p.geos);
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
    if (h.kind === "withheld") return "withheld";
    if (h.kind !== "primary" || demoted.has(k)) return "secondary";
    // (a withheld part may be 0: it tells nothing apart)
    const counted = (q: string) => q !== k && hidden.has(q) && hidden.get(q)!.kind !== "withheld";
    for (const r of index.get(k) ?? [])
      if (r.total === k && r.why !== "balance" && r.terms.filter(([q]) => counted(q)).length >= 2) return "secondary";
    return "primary";
  };
  const weight = { m: 1, a: 6, p: 40, r: 400 };
  const ctx: WitnessContext = {
    sys,
    index,
    truth: (k) => values.get(k),
    // a zero is published as such, unless withheld (a category of a breakdown published as its total only)
    fixed: (k) => prev.get(k)?.kind === "published" || (isCount(k) && values.get(k) === 0 && !hidden.has(k)),
    shown: shownAs,
    // what a reader loses: more for a total than for a part, more the higher the area; a little more for more persons
    cost: (k) => weight[levelOf(k)] * (parseKey(k).cat === "T" ? 4 : 1) * (2 + Math.log1p(values.get(k) ?? 0)),
    minCount,
  };
  /** a witness for each need: a rectangle if one holds, else the LP over the nearest area that has one */
  const witnessOf = async (k: string, alternatives: { down: number; up: number }[]) => {
    for (const range of alternatives) {
      const w = rectangleWitness(ctx, k, range, (q) => siblings(geo, q));
      if (w) return w;
    }
    const dir = parseKey(k).dir;
    for (const [n, area] of scopesOf(up, level, codeOf(k)).entries())
      for (const range of alternatives) {
        const inScope = (q: string) => {
          const d = parseKey(q).dir;
          return (d === dir || d === "balance") && inArea(q, area);
        };
        // the nearest cells first: most witnesses are a rectangle of four cells within one area
        const w = await findWitness(ctx, k, range, inScope, n === 0 ? 200 : n === 1 ? 800 : 4000);
        if (w) return w;
      }
    return undefined;
  };
  const witnesses: Witness[] = [];
  const protect = async (k: string) => {
    const found: Witness[] = [];
    for (const alternatives of needsOf(values.get(k)!, shownAs(k), minCount)) {
      // the witness of the other direction may do for this one too (it moves the target by one unit either way)
      const again = found.find((f) => alternatives.some((r) => allows(ctx, f, r)));
      const w = again ?? (await witnessOf(k, alternatives));
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
  const protectOrDemote = async (k: string) => {
    if (await protect(k)) return true;
    const near = new Set([k, ...(index.get(k) ?? []).flatMap((r) => r.terms.map(([q]) => q))]);
    const more = [...near].filter((q) => !prev.has(q) && hidden.get(q)?.kind === "primary" && !demoted.has(q));
    if (!more.length) return false;
    for (const q of more) demoted.add(q);
    return protect(k);
  };
  return { shownAs, protect, protectOrDemote, witnesses };
}

/**
 * The true value of every cell of the system: the computed ones, and those nobody publishes (the rest of a top
 * list, a nationality a list leaves out) where one relation gives them from cells whose values are known.
 */
export function trueValues(
  sys: System,
  truth: Map<string, number>,
  before: Map<string, number> | undefined,
  evaluate: (((key: string) => number | undefined) | undefined)[],
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
