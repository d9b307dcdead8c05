import type { DisclosureRule } from "../indicators/disclosure.ts";
import type { Indicators } from "../indicators/types.ts";
import { cellsOf } from "./cells.ts";
import { cellKey, parseKey, type RoundGeography } from "./keys.ts";
import type { HiddenKind, Pattern } from "./pattern.ts";

/*
 * An edition's published indicators under its round's pattern (pattern.ts): every path of a hidden cell is null, and
 * so is every figure made from one (a balance, a share, a rate, a mean) and every figure that tells an order or a
 * sign of one (a rank, the highest, the negative municipalities, which sex is the majority). Orders: a ranked list
 * (the top nationalities, the municipalities by rate) is in rank order only down to its first hidden entry; the
 * hidden ones follow by code, without rank, and every published path into the list is renumbered with it. Lists by
 * sign or class (negative, zero, highest) name only municipalities whose balance is published, and say how many
 * are hidden. The same function serves the region's, an area's and a municipality's edition.
 */

type Path = string;
const get = (o: unknown, path: Path): unknown =>
  path
    .split(".")
    .reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), o);
function set(o: unknown, path: Path, value: unknown) {
  const keys = path.split(".");
  const last = keys.pop()!;
  const parent = get(o, keys.join(".")) as Record<string, unknown> | undefined;
  if (parent && last in parent) parent[last] = value;
}

/** Whether `key` is hidden under the pattern: a count hidden itself, a balance whose immigration or emigration is. */
export function hiddenKind(p: Pattern, key: string): HiddenKind | undefined {
  const h = p.hidden.get(key);
  if (h) return h.shown ?? h.kind; // as a reader sees it: a small count that is the total of hidden parts is "x"
  const k = parseKey(key);
  if (k.dir !== "balance") return undefined;
  const im = p.hidden.has(cellKey(k.geo, k.period, "immigration", k.cat));
  const em = p.hidden.has(cellKey(k.geo, k.period, "emigration", k.cat));
  return im || em ? "secondary" : undefined;
}

/** The published indicators of an edition (see the top of this file). Pure: a copy is returned. */
export function applyPattern(ind: Indicators, pattern: Pattern, g: RoundGeography, rule: DisclosureRule): Indicators {
  const out = structuredClone(ind);
  const ec = cellsOf(ind, g);
  const primary: Path[] = [];
  const secondary: Path[] = [];
  const withheld: Path[] = [];
  const hiddenKeys = new Set<string>();
  for (const c of ec.cells) {
    const kind = hiddenKind(pattern, c.key);
    if (!kind) continue;
    hiddenKeys.add(c.key);
    (kind === "primary" ? primary : kind === "withheld" ? withheld : secondary).push(...c.paths);
  }
  const isHidden = (k: string) => hiddenKeys.has(k) || hiddenKind(pattern, k) !== undefined;
  for (const f of ec.facts) if (f.terms.some(([k]) => isHidden(k))) secondary.push(f.path);
  const told = new Set(ec.tells.filter((t) => t.deps.some(isHidden)).map((t) => t.path));
  for (const p of told) {
    // ranks and sign lists are rewritten below; the rest are hidden
    if (/\.rank$/.test(p) || /^municipalities\.(negative|zero|positive|topClass\.members|highest)$/.test(p)) continue;
    if (p.startsWith("revisions.")) continue;
    secondary.push(p);
  }
  for (const p of [...primary, ...secondary, ...withheld]) set(out, p, null);
  // the municipality's own rate is reliable or not: that tells about its counts too
  if (out.local) {
    const own = out.municipalities.rows.find((r) => r.nis === out.meta.area);
    if (own && (own.immigration === null || own.emigration === null)) {
      out.local.rateReliable = null as unknown as boolean;
      secondary.push("local.rateReliable");
    }
  }
  // revisions of a hidden figure are not listed (the change would tell the value)
  if (out.revisions) {
    const keep = ind.revisions!.totals.map(
      (r) => !isHidden(cellKey(g.geoKey(ind.meta.area, r.year), r.year, r.measure, "T")),
    );
    out.revisions.totals = out.revisions.totals.filter((_, k) => keep[k]);
  }
  const dropped = (p: Path) => !p.startsWith("revisions.");
  const moved = new Map<string, string>();
  // the top nationalities: ranked down to the first hidden total
  for (const d of ["immigration", "emigration"] as const) {
    const list = out.topNationalities[d];
    // a list of names without numbers is in rank order throughout (no number of it is published)
    const cut = out.topNationalities.counts === false ? -1 : list.findIndex((n) => n.total === null);
    out.topNationalities.ranked = {
      ...(out.topNationalities.ranked ?? { immigration: 0, emigration: 0 }),
      [d]: cut < 0 ? list.length : cut,
    };
    if (cut < 0) continue;
    const order = list.map((n, k) => ({ n, k }));
    const next = [...order.slice(0, cut), ...order.slice(cut).sort((a, b) => a.n.code.localeCompare(b.n.code))];
    out.topNationalities[d] = next.map((x, k) => (k < cut ? x.n : { ...x.n, rank: null as unknown as number }));
    next.forEach((x, k) => {
      if (x.k !== k) moved.set(`topNationalities.${d}.${x.k}.`, `topNationalities.${d}.${k}.`);
    });
    out.topNationalities.womenMajority[d] = out.topNationalities[d]
      .filter((n) => n.majority === "women")
      .map((n) => n.code);
  }
  // the municipalities by rate: the ranked ones, then those whose balance is hidden, by code and without rank
  const mu = out.municipalities;
  const order = mu.rows.map((r, k) => ({ r, k }));
  const shown = order.filter((x) => x.r.balance !== null);
  const unshown = order.filter((x) => x.r.balance === null).sort((a, b) => a.r.nis.localeCompare(b.r.nis));
  if (unshown.length) {
    const next = [...shown, ...unshown];
    mu.rows = next.map((x, k) => ({ ...x.r, rank: k < shown.length ? k + 1 : (null as unknown as number) }));
    next.forEach((x, k) => {
      if (x.k !== k) moved.set(`municipalities.rows.${x.k}.`, `municipalities.rows.${k}.`);
    });
    const pub = mu.rows.filter((r) => r.balance !== null && r.reliable !== false);
    mu.negative = pub.filter((r) => r.balance < 0).map((r) => r.nis);
    mu.zero = pub.filter((r) => r.balance === 0).map((r) => r.nis);
    mu.positive = pub.filter((r) => r.balance > 0).length;
    mu.topClass.members = pub.filter((r) => r.ratePer1000 > mu.topClass.threshold).map((r) => r.nis);
    mu.highest = pub.slice(0, Math.max(2, mu.topClass.members.length)).map((r) => r.nis);
  }
  mu.hidden = unshown.length;
  // the municipalities whose balance is not published (named, in code order), and only published rates are called
  // unreliable (whether a rate is reliable tells about its counts)
  mu.notPublished = unshown.map((x) => x.r.nis);
  mu.published = mu.rows.length - unshown.length;
  mu.unreliable = mu.rows.filter((r) => r.balance !== null && r.reliable === false).map((r) => r.nis);
  const renumber = (p: string) => {
    const m = /^(topNationalities\.(immigration|emigration)|municipalities\.rows)\.\d+\./.exec(p);
    const to = m && moved.get(m[0]);
    return to ? to + p.slice(m[0].length) : p;
  };
  out.disclosure = {
    minCount: rule.minCount,
    primary: [...new Set(primary.filter(dropped).map(renumber))],
    secondary: [...new Set(secondary.filter(dropped).map(renumber))],
    ...(withheld.length ? { withheld: [...new Set(withheld.map(renumber))] } : {}),
    rateMinPopulation: rule.rateMinPopulation,
    rateMinEvents: rule.rateMinEvents,
  };
  return out;
}
