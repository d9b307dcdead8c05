import type { EditionCells, TopList } from "./cells.ts";
import { cellKey, parseKey, type RoundGeography } from "./keys.ts";

/*
 * The linear system a reader can write down from everything a set of rounds publishes, knowing how the figures are
 * made: every sum the tables make (an area is the sum of the municipalities it covers; a period the sum of its
 * years; a total the sum of its components, of its nationality groups, of its men and women; a nationality the sum
 * of its men and women; a balance is immigration minus emigration), every figure made from counts (shares, rates per
 * 1,000 with their population, means), and what a top-10 list says of the nationalities it leaves out (each has no
 * more movements than any listed one; a short list leaves out only those below its threshold; a list of names only
 * says each named one has at least its threshold). Cells are variables: a published value fixes one; a hidden cell
 * lies in what its marker says ("<5": 1 to minCount − 1; "x": 1 or more, since a zero is never hidden); a cell nobody
 * publishes is free within what the reader knows of it. The pattern (pattern.ts) and the audit (audit.ts) both work
 * on this system. Why one file: the relations of the rounds are one system; each kind (facts, lists, sums) has its
 * function over one Builder.
 */

export type Kind = "published" | "primary" | "secondary" | "withheld" | "free";
/** A cell the pattern hides (a hidden balance aside: it is "free", just unknown). */
export const isHiddenKind = (k: Kind | string) => k === "primary" || k === "secondary" || k === "withheld";

export interface Var {
  key: string;
  kind: Kind;
  /** the published value (kind "published") */
  value?: number;
  lo: number;
  hi: number;
  /** the upper bound structure gives, whatever is published (a nationality a short list leaves out) */
  cap?: number;
}

export interface Relation {
  terms: [string, number][];
  rhs: number;
  op: "=" | "<=";
  /** what the reader knows that makes it hold (for the audit's report) */
  why: string;
  /** a sum: its total (the other terms are its parts) */
  total?: string;
}

export interface System {
  vars: Map<string, Var>;
  relations: Relation[];
}

/** What the code lists say about the categories (public, as the lists are). */
export interface Categories {
  components: Record<string, string[]>;
  /** nationality → group */
  groupOf: Map<string, string>;
  groups: string[];
}

export interface Round {
  geo: RoundGeography;
  editions: EditionCells[];
}

/** The cells' kinds and values: published values, and the markers of hidden cells. */
export type Marking = (key: string) => { kind: Kind; value?: number } | undefined;

const INF = Number.POSITIVE_INFINITY;

/** The variables and relations so far, and how to add them. */
interface Builder {
  vars: Map<string, Var>;
  relations: Relation[];
  cats: Categories;
  rel(terms: [string, number][], rhs: number, why: string, op?: "=" | "<="): void;
  variable(key: string): Var;
  /** a sum: the total and its parts (each written once) */
  sum(total: string, parts: string[], why: string): void;
}

function builderOf(cats: Categories, marking: Marking, minCount: number): Builder {
  const vars = new Map<string, Var>();
  const relations: Relation[] = [];
  const rel = (terms: [string, number][], rhs: number, why: string, op: "=" | "<=" = "=") =>
    relations.push({ terms, rhs, op, why });
  const variable = (key: string): Var => {
    let v = vars.get(key);
    if (v) return v;
    const m = marking(key);
    const balance = parseKey(key).dir === "balance";
    // a hidden balance needs no protection of its own (its counts have it): it is just unknown
    const kind = m?.kind === "published" ? "published" : balance ? "free" : (m?.kind ?? "free");
    v =
      kind === "published"
        ? { key, kind, value: m!.value!, lo: m!.value!, hi: m!.value! }
        : kind === "primary"
          ? { key, kind, lo: 1, hi: minCount - 1 }
          : kind === "secondary"
            ? { key, kind, lo: balance ? -INF : 1, hi: INF }
            : { key, kind, lo: balance ? -INF : 0, hi: INF };
    vars.set(key, v);
    return v;
  };
  const seen = new Set<string>();
  const sum = (total: string, parts: string[], why: string) => {
    const id = `${total}=${parts.join("+")}`;
    if (seen.has(id)) return;
    seen.add(id);
    variable(total);
    for (const p of parts) variable(p);
    relations.push({
      terms: [[total, 1], ...parts.map((p) => [p, -1] as [string, number])],
      rhs: 0,
      op: "=",
      why,
      total,
    });
  };
  return { vars, relations, cats, rel, variable, sum };
}

/** The system of the given rounds (see the top of this file). */
export function buildSystem(rounds: Round[], cats: Categories, marking: Marking, minCount: number): System {
  const b = builderOf(cats, marking, minCount);
  for (const round of rounds) {
    factRelations(b, round);
    listRelations(b, round);
  }
  sumRelations(b, rounds);
  return { vars: b.vars, relations: b.relations };
}

/** Every cell a round publishes, and the figures made from them (shares, rates per 1,000, means) as relations. */
function factRelations(b: Builder, round: Round) {
  const { variable, rel } = b;
  const keys = new Set(round.editions.flatMap((e) => e.cells.map((c) => c.key)));
  for (const k of keys) variable(k);
  // the figures made from counts
  for (const e of round.editions)
    for (const f of e.facts) {
      if (!f.published || f.terms.some(([, c]) => !Number.isFinite(c))) continue;
      for (const [k] of f.terms) variable(k);
      // a rate or share is rounded to nothing in indicators.json: it states its fact up to the float's precision
      const tol = 1e-7 * Math.max(1, Math.abs(f.rhs));
      rel(f.terms, f.rhs + tol, `${e.area}: ${f.path}`, "<=");
      rel(
        f.terms.map(([k, c]) => [k, -c]),
        -f.rhs + tol,
        `${e.area}: ${f.path}`,
        "<=",
      );
    }
}

/** What the top lists tell about the nationalities they leave out. */
function listRelations(b: Builder, round: Round) {
  const { variable } = b;
  const g = round.geo;
  const vars = b.vars;
  // the top lists: what they tell about the nationalities they leave out
  const listAt = new Map(round.editions.flatMap((e) => e.lists.map((l) => [`${l.geo}|${l.year}|${l.dir}`, l])));
  // a nationality a list names is a cell of the area above too (free there when that area's list leaves it out);
  // the sums below then make it a cell of that area's other parts
  const named = new Map<string, Set<string>>(); // geo|year|dir → the nationalities it must have a cell for
  for (const l of listAt.values()) {
    const id = `${l.geo}|${l.year}|${l.dir}`;
    const own = named.get(id) ?? new Set<string>();
    for (const n of l.listed) own.add(n.code);
    named.set(id, own);
    const up = g.parentOf(parseKey(cellKey(l.geo, l.year, l.dir, "T")).code);
    if (!up) continue;
    const upId = `${g.geoKey(up, l.year)}|${l.year}|${l.dir}`;
    const s = named.get(upId) ?? new Set<string>();
    for (const n of l.listed) s.add(n.code);
    named.set(upId, s);
  }
  for (const [id, nats] of named) {
    const [geo, y, dir] = id.split("|") as [string, string, string];
    for (const x of nats) {
      variable(cellKey(geo, y, dir, `n:${x}`));
      const code = geo.split("#")[0]!;
      for (const c of g.childrenOf(code, Number(y))) variable(cellKey(g.geoKey(c, Number(y)), y, dir, `n:${x}`));
    }
  }
  const natVars = new Map<string, string[]>(); // geo|year|dir → its nationality cells
  for (const k of vars.keys()) {
    const p = parseKey(k);
    if (!/^n:[^:]+$/.test(p.cat)) continue;
    const id = `${p.geo}|${p.period}|${p.dir}`;
    natVars.set(id, [...(natVars.get(id) ?? []), p.cat.slice(2)]);
  }
  for (const l of listAt.values()) listRelationsOf(b, l, natVars.get(`${l.geo}|${l.year}|${l.dir}`) ?? []);
}

/** What one list tells: a named one, that each name has at least its threshold; a numbered one, that its group and
 * sex totals are its nationalities and a rest, and that every nationality it leaves out has no more than any listed. */
function listRelationsOf(b: Builder, l: TopList, natVars: string[]) {
  const { variable, rel, sum, cats } = b;
  const at = (cat: string) => cellKey(l.geo, l.year, l.dir, cat);
  const full = l.listed.length >= l.size;
  const listed = new Set(l.listed.map((n) => n.code));
  if (l.named) {
    // names without numbers: each named one has at least minTotal; in a short list every other one fewer
    for (const n of l.listed) variable(at(`n:${n.code}`)).lo = Math.max(variable(at(`n:${n.code}`)).lo, l.minTotal);
    for (const x of full ? [] : natVars)
      if (!listed.has(x)) Object.assign(variable(at(`n:${x}`)), { hi: l.minTotal - 1, cap: l.minTotal - 1 });
    return;
  }
  const rest = (x: string) => at(`rest:${x}`);
  const cap = l.minTotal - 1; // a nationality left out of a short list has fewer movements than the list shows
  const capped = (v: Var) => {
    if (!full && cap === 0) Object.assign(v, { hi: 0, cap: 0 });
  };
  for (const grp of cats.groups) {
    capped(variable(rest(grp)));
    sum(
      at(`g:${grp}`),
      [...l.listed.filter((n) => n.group === grp).map((n) => at(`n:${n.code}`)), rest(grp)],
      `${l.geo}: the ${grp} group is its listed nationalities and the rest`,
    );
  }
  for (const s of l.bySex ? ["M", "F"] : []) {
    capped(variable(rest(s)));
    sum(
      at(`s:${s}`),
      [...l.listed.map((n) => at(`n:${n.code}:${s}`)), rest(s)],
      `${l.geo}: its ${s === "M" ? "men" : "women"} are the listed nationalities' and the rest`,
    );
  }
  if (l.bySex)
    rel(
      [[rest("M"), 1], [rest("F"), 1], ...cats.groups.map((grp) => [rest(grp), -1] as [string, number])],
      0,
      `${l.geo}: the rest by sex is the rest by group`,
    );
  // the nationalities named elsewhere that this list leaves out: each at most any listed one
  const outside: Record<string, string[]> = {};
  for (const x of natVars) {
    if (listed.has(x)) continue;
    const u = variable(at(`n:${x}`));
    const grp = cats.groupOf.get(x) ?? "non-EU";
    outside[grp] = [...(outside[grp] ?? []), at(`n:${x}`)];
    const sexes = l.bySex ? ["M", "F"] : [];
    for (const s of sexes) {
      variable(at(`n:${x}:${s}`));
      outside[s] = [...(outside[s] ?? []), at(`n:${x}:${s}`)];
    }
    if (!full) {
      Object.assign(u, { hi: Math.min(u.hi, cap), cap });
      for (const s of sexes) Object.assign(variable(at(`n:${x}:${s}`)), { hi: cap, cap });
      continue;
    }
    for (const n of l.listed) {
      const t = variable(at(`n:${n.code}`));
      if (t.kind === "published") u.hi = Math.min(u.hi, t.value!);
      else
        rel(
          [
            [at(`n:${x}`), 1],
            [at(`n:${n.code}`), -1],
          ],
          0,
          `${l.geo}: ${x} is not in its top list`,
          "<=",
        );
    }
  }
  for (const [part, ks] of Object.entries(outside))
    rel(
      [...ks.map((k) => [k, 1] as [string, number]), [rest(part), -1]],
      0,
      `${l.geo}: the nationalities outside its list are part of its rest`,
      "<=",
    );
}

/** The sums, for every cell the rounds name (a cell made by the lists or by another sum included). */
function sumRelations(b: Builder, rounds: Round[]) {
  const { vars, sum, cats } = b;
  const present = new Set<string>(); // geo|year|dir|category prefix of the cells the editions publish
  for (const r of rounds)
    for (const e of r.editions)
      for (const c of e.cells) {
        const p = parseKey(c.key);
        present.add(`${p.geo}|${p.period}|${p.dir}|${p.cat.slice(0, 2)}`);
        if (/^n:[^:]+:[MF]$/.test(p.cat)) present.add(`${p.geo}|${p.period}|${p.dir}|n:sex`);
      }
  const done = new Set<string>();
  for (let more = true; more; ) {
    more = false;
    for (const key of [...vars.keys()]) {
      if (done.has(key)) continue;
      done.add(key);
      more = true;
      sumsOf(key);
    }
  }
  function sumsOf(key: string) {
    const { geo, code, period, dir, cat } = parseKey(key);
    if (cat.startsWith("rest:")) return;
    if (dir === "balance") {
      sum(cellKey(geo, period, "immigration", cat), [key, cellKey(geo, period, "emigration", cat)], "balance");
      return;
    }
    if (period.includes("-")) {
      const [from, to] = period.split("-").map(Number) as [number, number];
      const g = rounds.find((r) => r.geo.periodKey(code, from, to) === geo)?.geo;
      if (!g) return;
      const years = Array.from({ length: to - from + 1 }, (_, i) => from + i);
      sum(
        key,
        years.map((y) => cellKey(g.geoKey(code, y), y, dir, cat)),
        `${code}: the period is the sum of its years`,
      );
      return;
    }
    for (const r of rounds) {
      const comp = r.geo.compositionOf(geo);
      if (!comp?.units) continue;
      const y = comp.y!;
      // a municipality's parts are the units of that year under their own codes (a merged municipality that kept
      // one of its old codes is not a part of itself); an area's parts are its areas or municipalities
      const unit = r.geo.munis.has(code);
      const children = r.geo.childrenOf(code, y).map((c) => (unit ? c : r.geo.geoKey(c, y)));
      // men and women of a nationality in parts that publish only its total: the sum tells nothing the area's own
      // men + women = total does not (any split of the parts' totals is possible)
      if (/^n:[^:]+:[MF]$/.test(cat) && !children.some((c) => present.has(`${c}|${period}|${dir}|n:sex`))) continue;
      const parts = children.map((c) => cellKey(c, period, dir, cat));
      if (parts.length) sum(key, parts, `${code}: the sum of its parts`);
    }
    if (cat === "T") {
      const at = (c: string) => cellKey(geo, period, dir, c);
      const has = (prefix: string) => present.has(`${geo}|${period}|${dir}|${prefix}`);
      const totals: [string, string[], string][] = [
        ["c:", (cats.components[dir] ?? []).map((c) => at(`c:${c}`)), "the total of its components"],
        ["g:", cats.groups.map((grp) => at(`g:${grp}`)), "the total of its nationality groups"],
        ["s:", [at("s:M"), at("s:F")], "its men and women"],
      ];
      for (const [prefix, parts, what] of totals) if (has(prefix)) sum(key, parts, `${code}: ${what}`);
    }
    if (/^n:[^:]+$/.test(cat) && present.has(`${geo}|${period}|${dir}|n:sex`))
      sum(key, [`${key}:M`, `${key}:F`], `${code}: the men and women of a nationality`);
  }
}
