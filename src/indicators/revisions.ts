import type { Effects } from "../effects.ts";
import type { Indicators, Revision, Revisions } from "./types.ts";

/*
 * Revisions: every yearly edition revises the figures of earlier years (late registrations). The edition compares
 * its figures with the previous edition's indicators.json, for the years both cover, and says what changed.
 *
 * Compared: the area's yearly totals (immigration, emigration, balance), the components per year and the regions'
 * yearly totals. Every change of the area's totals is listed, however small (threshold: one person; these are the
 * figures the bulletin states); changes of the other figures are counted, with the largest relative change. The
 * municipal rates are not compared: they depend on the geography and on the period, which move with every edition.
 */

const MEASURES = ["immigration", "emigration", "balance"] as const;

/** Pure: the revisions of `cur` against `prev`; null when they are not editions of the same area. */
export function compareEditions(prev: Indicators, cur: Indicators): Revisions | null {
  if (prev.meta?.area !== cur.meta.area || prev.meta.year >= cur.meta.year) return null;
  const prevSeries = new Map(prev.series.map((s) => [s.year, s]));
  const totals: Revision[] = [];
  const years = new Set<number>();
  let compared = 0;
  for (const s of cur.series) {
    const p = prevSeries.get(s.year);
    if (!p) continue;
    years.add(s.year);
    for (const m of MEASURES) {
      compared++;
      if (p[m] !== s[m]) totals.push({ measure: m, year: s.year, previous: p[m], current: s[m], change: s[m] - p[m] });
    }
  }
  let count = 0;
  let maxShare = 0;
  const other = (a: number | undefined, b: number) => {
    if (a === undefined) return;
    compared++;
    if (a === b) return;
    count++;
    maxShare = Math.max(maxShare, a ? Math.abs(b - a) / Math.abs(a) : 1);
  };
  const comp = new Map(prev.components.byYear.map((c) => [`${c.year}|${c.direction}|${c.code}`, c.count]));
  for (const c of cur.components.byYear) other(comp.get(`${c.year}|${c.direction}|${c.code}`), c.count);
  const reg = new Map(prev.regions.series.map((r) => [`${r.year}|${r.region}`, r]));
  for (const r of cur.regions.series) {
    if (r.region === cur.meta.area) continue; // the area's own totals are listed above
    const p = reg.get(`${r.year}|${r.region}`);
    other(p?.immigration, r.immigration);
    other(p?.emigration, r.emigration);
  }
  // a total's rows in the order the text lists them: by year, then measure
  totals.sort((a, b) => a.year - b.year || MEASURES.indexOf(a.measure) - MEASURES.indexOf(b.measure));
  return {
    previousEdition: prev.meta.year,
    years: [...years].sort((a, b) => a - b),
    compared,
    totals,
    other: { count, maxShare },
  };
}

/** The previous edition's indicators.json, or undefined when there is none (or it cannot be read: a warning). */
export async function readPrevious(
  path: string,
  fx: Pick<Effects, "exists" | "readFile" | "warn">,
): Promise<Indicators | undefined> {
  if (!(await fx.exists(path))) return undefined;
  try {
    const ind = JSON.parse((await fx.readFile(path)).toString("utf8")) as Indicators;
    if (ind?.meta && Array.isArray(ind.series)) return ind;
  } catch {
    // reported below
  }
  fx.warn(`${path} is not an edition's indicators.json: the edition says nothing about revisions`);
  return undefined;
}
