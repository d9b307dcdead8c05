import type { Table } from "../data/csv.ts";
import { codeMap, validIn } from "../data/harmonise.ts";

/*
 * The cells of a round under keys that every edition, every round and the audit agree on.
 *
 * A round (every edition of one observation year: the region, its provinces and arrondissements, its municipalities)
 * publishes counts of movements. A count is a cell `GEO|PERIOD|DIRECTION|CATEGORY`:
 * - GEO: a municipality's NIS code where the area is one municipality of the data year (a *unit*), else the code and
 *   a hash of the units it adds up (`73000#1a2b3c4d`): an arrondissement that lost a municipality in 2025, or a
 *   merged municipality's 2024 figure, is then a different cell from the same code's figure of another composition,
 *   and the same cell in every round that publishes it (the 2024 and 2025 rounds share the region's 2023 figures).
 * - PERIOD: a year (`2024`) or the municipal period (`2022-2024`).
 * - DIRECTION: immigration, emigration, or balance (a figure derived from the two).
 * - CATEGORY: `T` (total), `c:CODE` (component), `g:GROUP` (nationality group), `s:M`/`s:F` (sex), `n:CODE`
 *   (nationality), `n:CODE:M`/`n:CODE:F`.
 */

export type Dir = "immigration" | "emigration";
export const DIRS: readonly Dir[] = ["immigration", "emigration"];

export const cellKey = (geo: string, period: string | number, dir: string, cat: string) =>
  `${geo}|${period}|${dir}|${cat}`;

export interface ParsedKey {
  geo: string;
  code: string;
  period: string;
  dir: string;
  cat: string;
}
const parsed = new Map<string, ParsedKey>();
/** The parts of a key (memoised: the pattern and the audit ask for the same keys many times). */
export const parseKey = (key: string): ParsedKey => {
  let p = parsed.get(key);
  if (!p) {
    const [geo, period, dir, cat] = key.split("|") as [string, string, string, string];
    p = { geo, code: geo.split("#")[0]!, period, dir, cat };
    if (parsed.size > 2_000_000) parsed.clear();
    parsed.set(key, p);
  }
  return p;
};

/** FNV-1a, 32 bits, as 8 hex digits: a short stable name for a set of units. */
export function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** The municipalities of a round's geography, the areas they lie in, and what each is made of in any data year. */
export interface RoundGeography {
  year: number;
  /** the year whose municipalities the round uses */
  geography: number;
  region: string;
  /** round municipality → its arrondissement, province and region */
  munis: Map<string, { arrondissement: string; province: string; region: string }>;
  /** the units of data year `y` that make up a municipality or area of the round (sorted) */
  unitsOf(code: string, y: number): string[];
  /** the key of a code's figures of data year `y` */
  geoKey(code: string, y: number): string;
  /** the key of a code's figures summed over the years `from`–`to` */
  periodKey(code: string, from: number, to: number): string;
  /** the areas or units a code of the round adds up in data year `y`: a region its provinces, a province its
   * arrondissements, an arrondissement its municipalities, a municipality its units when it merged later (else none) */
  childrenOf(code: string, y: number): string[];
  /** the area a code of the round lies in (undefined for the region) */
  parentOf(code: string): string | undefined;
  /** what a key that `geoKey` or `periodKey` gave stands for */
  compositionOf(geoKey: string): { code: string; y?: number; units?: string[]; years?: number[] } | undefined;
}

/** The geography of a round from the public code lists (municipalities with validity years, the crosswalk). */
export function roundGeography(
  codes: { municipalities: Table; crosswalk: Table },
  p: { year: number; geography: number; region: string },
): RoundGeography {
  const munis = new Map(
    codes.municipalities.rows
      .filter((r) => r.region === p.region && validIn(r, p.geography))
      .map((r) => [
        r.nis as string,
        { arrondissement: r.arrondissement as string, province: r.province as string, region: r.region as string },
      ]),
  );
  const all = codes.municipalities.rows.filter((r) => r.region === p.region);
  const memo = new Map<number, Map<string, string[]>>();
  /** data year → round municipality → its units */
  const partsIn = (y: number) => {
    let m = memo.get(y);
    if (m) return m;
    m = new Map();
    const map = y < p.geography ? codeMap(codes.crosswalk, y, p.geography) : new Map<string, string>();
    for (const r of all) {
      if (!validIn(r, y)) continue;
      const unit = r.nis as string;
      const to = map.get(unit) ?? unit;
      if (!munis.has(to)) continue;
      m.set(to, [...(m.get(to) ?? []), unit]);
    }
    for (const v of m.values()) v.sort();
    memo.set(y, m);
    return m;
  };
  const areaCodes = new Set([...munis.values()].flatMap((w) => [w.arrondissement, w.province, w.region]));
  const unitsOf = (code: string, y: number): string[] => {
    const parts = partsIn(y);
    if (munis.has(code)) return parts.get(code) ?? [];
    if (!areaCodes.has(code)) return [code]; // a municipality of an earlier year (merged since) is a unit of its own
    const out: string[] = [];
    for (const [m, where] of munis)
      if (where.arrondissement === code || where.province === code || where.region === code)
        out.push(...(parts.get(m) ?? []));
    return out.sort();
  };
  const keyMemo = new Map<string, string>();
  const compositions = new Map<string, { code: string; y?: number; units?: string[]; years?: number[] }>();
  const geoKey = (code: string, y: number) => {
    const k = `${code}|${y}`;
    let g = keyMemo.get(k);
    if (g === undefined) {
      const u = unitsOf(code, y);
      g = u.length === 1 && u[0] === code ? code : `${code}#${shortHash(u.join(","))}`;
      keyMemo.set(k, g);
      if (g !== code) compositions.set(g, { code, y, units: u });
    }
    return g;
  };
  const periodKey = (code: string, from: number, to: number) => {
    const years = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const keys = years.map((y) => geoKey(code, y));
    if (keys.every((k) => k === code)) return code;
    const pk = `${code}#${shortHash(keys.join(";"))}`;
    compositions.set(pk, { code, years });
    return pk;
  };
  const children = new Map<string, Set<string>>();
  const parent = new Map<string, string>();
  for (const [m, w] of munis) {
    for (const [c, up] of [
      [m, w.arrondissement],
      [w.arrondissement, w.province],
      [w.province, w.region],
    ] as const) {
      parent.set(c, up);
      const s = children.get(up) ?? new Set<string>();
      s.add(c);
      children.set(up, s);
    }
  }
  const childrenOf = (code: string, y: number): string[] => {
    if (munis.has(code)) {
      const u = unitsOf(code, y);
      return u.length === 1 && u[0] === code ? [] : u;
    }
    return [...(children.get(code) ?? [])].sort();
  };
  return {
    ...p,
    munis,
    unitsOf,
    geoKey,
    periodKey,
    childrenOf,
    parentOf: (c) => parent.get(c),
    compositionOf: (k) => compositions.get(k),
  };
}
