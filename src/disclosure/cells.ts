import type { Indicators } from "../indicators/types.ts";
import { cellKey, DIRS, type Dir, type RoundGeography } from "./keys.ts";

/*
 * What one edition publishes, as cells of its round (keys.ts): every count and balance with the paths of
 * indicators.json it is shown under, the figures derived from them (shares, rates, means) with the linear fact each
 * states, the top-nationality lists (what a list tells about the nationalities it leaves out), and the figures that
 * tell an order or a sign (ranks, "highest", "negative") with the cells they tell about.
 *
 * The same function reads the indicators the program computes (values known: the suppression pattern is chosen on
 * them) and the indicators.json an edition published (hidden values are null: the audit reads them), so the two can
 * never disagree about what a path means. Why one file: one function per section over one Collector, so that every
 * path of indicators.json is read in one place.
 */

export interface Cell {
  key: string;
  /** null where the published file hides it */
  value: number | null;
  paths: string[];
}

/** A figure made from cells; where published it states `Σ coef × cell = rhs` (a share, a rate per 1,000, a mean). */
export interface Fact {
  path: string;
  published: boolean;
  terms: [string, number][];
  rhs: number;
}

/** A figure that tells an order, a sign or a comparison of cells (a rank, a list of the highest, a boolean). */
export interface Tell {
  path: string;
  deps: string[];
}

/** A top-nationality list: the listed nationalities, and how many a full list holds. */
export interface TopList {
  geo: string;
  year: number;
  dir: Dir;
  size: number;
  /** the smallest total it lists: a list shorter than `size` leaves out only nationalities below it */
  minTotal: number;
  /** it gives the men and women of each listed nationality */
  bySex: boolean;
  /** it names the nationalities without their numbers */
  named?: boolean;
  /** the totals of the group and of the sexes the list belongs to */
  listed: { code: string; group: string }[];
}

export interface EditionCells {
  area: string;
  cells: Cell[];
  facts: Fact[];
  tells: Tell[];
  lists: TopList[];
}

const num = (v: unknown): number | null => (typeof v === "number" ? v : null);
/** a figure stated as a number: the right-hand side of its fact */
const stated = (v: unknown) => ({ published: typeof v === "number", rhs: num(v) ?? 0 });
/** part = share × total */
const share = (v: unknown, part: string, total: string) => ({
  published: typeof v === "number",
  rhs: 0,
  terms: [
    [part, 1],
    [total, -(num(v) ?? 0)],
  ] as [string, number][],
});

/** The cells an edition's indicators publish (see the top of this file). */
export function cellsOf(ind: Indicators, g: RoundGeography): EditionCells {
  const A = ind.meta.area;
  const cells = new Map<string, Cell>();
  const facts: Fact[] = [];
  const tells: Tell[] = [];
  const lists: TopList[] = [];
  const add = (key: string, v: unknown, path: string) => {
    const c = cells.get(key);
    if (c) {
      c.paths.push(path);
      if (c.value === null) c.value = num(v);
    } else cells.set(key, { key, value: num(v), paths: [path] });
    return key;
  };
  const yk = (y: number, dir: string, cat = "T") => cellKey(g.geoKey(A, y), y, dir, cat);
  const flowYears = new Set(ind.meta.flowYears);
  const c: Collector = { ind, g, A, add, yk, facts, tells, lists, flowYears };
  for (const section of [totalsCells, componentCells, groupCells, topCells, municipalCells, revisionCells]) section(c);
  return { area: A, cells: [...cells.values()], facts, tells, lists };
}

/** What the sections of cellsOf add to. */
interface Collector {
  ind: Indicators;
  g: RoundGeography;
  /** the edition's area */
  A: string;
  /** a cell under a path (a cell shown under several paths is one cell) */
  add(key: string, v: unknown, path: string): string;
  /** the key of the area's cell of year y */
  yk(y: number, dir: string, cat?: string): string;
  facts: Fact[];
  tells: Tell[];
  lists: TopList[];
  flowYears: Set<number>;
}

/** The yearly totals and the facts stated of them (section 1). */
function totalsCells(c: Collector) {
  const { ind, A, add, yk, facts, tells } = c;
  // 1. the yearly totals: the series, the headline and its previous years, the start, the region's own row of
  //    section 6, the breaks; balances are cells of their own (balance = immigration − emigration)
  ind.series.forEach((s, i) => {
    for (const d of [...DIRS, "balance"] as const) add(yk(s.year, d), s[d], `series.${i}.${d}`);
  });
  const year = ind.meta.year;
  for (const d of [...DIRS, "balance"] as const) {
    add(yk(year, d), ind.headline[d], `headline.${d}`);
    ind.headline.previous.forEach((p, k) => {
      add(yk(p.year, d), p[d], `headline.previous.${k}.${d}`);
    });
    const st = ind.seriesFacts.start;
    add(yk(st.year, d), st[d], `seriesFacts.start.${d}`);
  }
  ind.regions.series.forEach((r, k) => {
    if (r.region !== A) return;
    for (const d of [...DIRS, "balance"] as const) add(yk(r.year, d), r[d], `regions.series.${k}.${d}`);
    facts.push({
      path: `regions.series.${k}.ratePer1000`,
      ...stated(r.ratePer1000),
      terms: [[yk(r.year, "balance"), 1000 / r.population]],
    });
  });
  ind.seriesFacts.breaks.forEach((b, k) => {
    add(yk(b.year, "balance"), b.balance, `seriesFacts.breaks.${k}.balance`);
  });
  const allBalances = ind.series.map((s) => yk(s.year, "balance"));
  for (const m of ["maxBalance", "minBalance"] as const) {
    const e = ind.seriesFacts[m];
    add(yk(e.year, "balance"), e.value, `seriesFacts.${m}.value`);
    tells.push({ path: `seriesFacts.${m}.year`, deps: allBalances });
  }
  const fd = ind.seriesFacts.firstDecade;
  const decade = ind.series.filter((s) => s.year >= fd.from && s.year <= fd.to).map((s) => yk(s.year, "balance"));
  facts.push({
    path: "seriesFacts.firstDecade.meanBalance",
    ...stated(fd.meanBalance),
    terms: decade.map((k) => [k, 1 / decade.length]),
  });
  const headlineYears = [year, ...ind.headline.previous.map((p) => p.year)];
  for (const b of ["immigration", "balance"] as const)
    for (const w of ["Lower", "Higher"] as const)
      tells.push({
        path: `headline.${b}${w}ThanAllPrevious`,
        deps: headlineYears.map((y) => yk(y, b)),
      });
}

/** The components per year, with their shares (section 2). */
function componentCells(c: Collector) {
  const { ind, add, yk, facts, flowYears } = c;
  // 2. components per year (and the current year's, the same cells), with their shares
  ind.components.byYear.forEach((c, k) => {
    if (!flowYears.has(c.year)) return;
    const key = add(yk(c.year, c.direction, `c:${c.code}`), c.count, `components.byYear.${k}.count`);
    facts.push({
      path: `components.byYear.${k}.share`,
      ...share(c.share, key, yk(c.year, c.direction)),
    });
  });
  for (const d of DIRS)
    ind.components[d].forEach((c, j) => {
      const key = add(yk(ind.components.year, d, `c:${c.code}`), c.count, `components.${d}.${j}.count`);
      facts.push({
        path: `components.${d}.${j}.share`,
        ...share(c.share, key, yk(ind.components.year, d)),
      });
    });
}

/** The nationality groups of the year (section 3). */
function groupCells(c: Collector) {
  const { ind, add, yk, facts, tells } = c;
  // 3. nationality groups of the year
  const gy = ind.nationalityGroups.year;
  ind.nationalityGroups.rows.forEach((r, k) => {
    for (const d of [...DIRS, "balance"] as const)
      add(yk(gy, d, `g:${r.group}`), r[d], `nationalityGroups.rows.${k}.${d}`);
    facts.push({
      path: `nationalityGroups.rows.${k}.immigrationShare`,
      ...share(r.immigrationShare, yk(gy, "immigration", `g:${r.group}`), yk(gy, "immigration")),
    });
  });
  tells.push({
    path: "nationalityGroups.largestImmigrationGroup",
    deps: ind.nationalityGroups.rows.map((r) => yk(gy, "immigration", `g:${r.group}`)),
  });
}

/** The top nationalities and the year's men and women (section 4). */
function topCells(c: Collector) {
  const { ind, g, A, add, yk, tells, lists } = c;
  // 4. the top nationalities by sex, and the year's men and women
  const ty = ind.topNationalities.year;
  for (const d of DIRS) {
    const t = ind.topNationalities.totalsBySex[d];
    add(yk(ty, d, "s:M"), t.men, `topNationalities.totalsBySex.${d}.men`);
    add(yk(ty, d, "s:F"), t.women, `topNationalities.totalsBySex.${d}.women`);
    const list = ind.topNationalities[d];
    const bySex = ind.meta.areaLevel !== "municipality";
    const named = ind.topNationalities.counts === false;
    // names without numbers: each named nationality has at least minTotal movements, and in a list shorter than
    // `size` every other one has fewer
    if (!named) {
      list.forEach((n, k) => {
        const base = `topNationalities.${d}.${k}`;
        add(yk(ty, d, `n:${n.code}`), n.total, `${base}.total`);
        if (bySex) {
          const mk = add(yk(ty, d, `n:${n.code}:M`), n.men, `${base}.men`);
          const wk = add(yk(ty, d, `n:${n.code}:F`), n.women, `${base}.women`);
          tells.push({ path: `${base}.majority`, deps: [mk, wk] });
        }
        tells.push({ path: `${base}.rank`, deps: list.map((x) => yk(ty, d, `n:${x.code}`)) });
      });
    }
    lists.push({
      geo: g.geoKey(A, ty),
      year: ty,
      dir: d,
      size: ind.topNationalities.size,
      minTotal: ind.topNationalities.minTotal ?? 1,
      bySex: bySex && !named,
      named,
      listed: list.map((n) => ({ code: n.code, group: n.group })),
    });
  }
}

/** The municipalities over the period, and a municipality's comparison with its areas (section 5). */
function municipalCells(c: Collector) {
  const { ind, g, A, add, facts, tells } = c;
  // 5. the municipalities over the period: counts, balance, rate per 1,000 (with the population), rank, and the
  //    lists by sign and class
  const mu = ind.municipalities;
  const rateKeys: string[] = [];
  mu.rows.forEach((r, k) => {
    const pk = g.periodKey(r.nis, mu.from, mu.to);
    const years = mu.to - mu.from + 1;
    for (const d of [...DIRS, "balance"] as const)
      add(cellKey(pk, `${mu.from}-${mu.to}`, d, "T"), r[d], `municipalities.rows.${k}.${d}`);
    const bal = cellKey(pk, `${mu.from}-${mu.to}`, "balance", "T");
    rateKeys.push(bal);
    facts.push({
      path: `municipalities.rows.${k}.ratePer1000`,
      ...stated(r.ratePer1000),
      terms: [[bal, r.averagePopulation ? 1000 / years / r.averagePopulation : 0]],
    });
  });
  for (let k = 0; k < mu.rows.length; k++) tells.push({ path: `municipalities.rows.${k}.rank`, deps: rateKeys });
  // whether a rate is reliable tells about the counts it is made of (fewer than rateMinEvents movements)
  mu.rows.forEach((r, k) => {
    const pk = g.periodKey(r.nis, mu.from, mu.to);
    tells.push({
      path: `municipalities.rows.${k}.reliable`,
      deps: DIRS.map((d) => cellKey(pk, `${mu.from}-${mu.to}`, d, "T")),
    });
  });
  for (const p of ["negative", "zero", "positive", "topClass.members", "highest"])
    tells.push({ path: `municipalities.${p}`, deps: rateKeys });
  // a municipality's edition: its rate beside the areas it lies in, and its rank in its arrondissement
  if (ind.local) {
    const years = mu.to - mu.from + 1;
    ind.local.rates.forEach((r, k) => {
      const pk = g.periodKey(r.nis, mu.from, mu.to);
      const bal = add(cellKey(pk, `${mu.from}-${mu.to}`, "balance", "T"), r.balance, `local.rates.${k}.balance`);
      facts.push({
        path: `local.rates.${k}.ratePer1000`,
        ...stated(r.ratePer1000),
        terms: [[bal, r.population ? 1000 / years / r.population : 0]],
      });
    });
    const own = cellKey(g.periodKey(A, mu.from, mu.to), `${mu.from}-${mu.to}`, "balance", "T");
    tells.push({ path: "local.rank.position", deps: [own] });
  }
}

/** What changed since the previous edition. */
function revisionCells(c: Collector) {
  const { ind, add, yk, tells } = c;
  // what changed since the previous edition: the current value is a cell, the change tells it
  ind.revisions?.totals.forEach((r, k) => {
    const key = yk(r.year, r.measure);
    add(key, r.current, `revisions.totals.${k}.current`);
    tells.push({ path: `revisions.totals.${k}.change`, deps: [key] });
    tells.push({ path: `revisions.totals.${k}.previous`, deps: [key] });
  });
}
