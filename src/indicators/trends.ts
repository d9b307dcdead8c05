/*
 * The statements about the shape of a series that the bulletin makes in words ("since 2001 the balance has risen
 * sharply", "rose steadily", "highly variable", "much higher per 1,000"). Each is computed here by a documented
 * rule (README § Computed statements), so a template states it only when the data support it. Pure functions.
 */

/** A yearly value of a series; `break` marks a year whose counting method changed. */
export interface Point {
  year: number;
  value: number;
  break?: boolean;
}

/** How a region's balance per 1,000 inhabitants behaved over the years of figure 6. */
export interface SeriesShape {
  /** mean of the yearly rates */
  mean: number;
  /** least-squares slope of the rate, per 1,000 points per year */
  slope: number;
  /** standard deviation of the year-on-year changes of the rate (per 1,000 points), changes into or out of a
   * break year left out: the volatility measure */
  volatility: number;
  /** the falls: runs of consecutive yearly decreases that lose more than FALL_MIN per-1,000 points together */
  falls: { from: number; to: number; drop: number }[];
  /** slope > 0, volatility ≤ STEADY_MAX and no fall: "rose steadily" */
  steadyRise: boolean;
  /** slope > 0 with falls: "has risen since …, with falls in …" (a weaker word than steadily) */
  risingWithFalls: boolean;
  /** volatility ≥ VARIABLE_MIN */
  highlyVariable: boolean;
}

/** Thresholds of the volatility measure, in per-1,000 points (README § Computed statements). */
export const STEADY_MAX = 1.5;
export const VARIABLE_MIN = 3;
/** A run of yearly decreases that loses more than this (per-1,000 points) is a fall: the series did not rise steadily. */
export const FALL_MIN = 1;
/** "Much higher": above every other series in every year and at least this many times their mean. */
export const MUCH_HIGHER_FACTOR = 2;

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Least-squares slope of value on year. */
export function slopeOf(points: Point[]): number {
  const mx = mean(points.map((p) => p.year));
  const my = mean(points.map((p) => p.value));
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.year - mx) * (p.value - my);
    den += (p.year - mx) ** 2;
  }
  return den ? num / den : 0;
}

/** The runs of consecutive yearly decreases (a break year or a gap ends a run) that lose more than FALL_MIN. */
export function fallsOf(points: Point[]): SeriesShape["falls"] {
  const out: SeriesShape["falls"] = [];
  let start: Point | undefined;
  let prev: Point | undefined;
  const close = () => {
    if (start && prev && start.value - prev.value > FALL_MIN)
      out.push({ from: start.year, to: prev.year, drop: start.value - prev.value });
    start = undefined;
  };
  for (const p of points) {
    const linked = prev && !prev.break && !p.break && p.year === prev.year + 1;
    if (linked && p.value < prev!.value) start ??= prev;
    else close();
    prev = p;
  }
  close();
  return out;
}

export function shapeOf(points: Point[]): SeriesShape {
  const changes: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (a.break || b.break || b.year !== a.year + 1) continue;
    changes.push(b.value - a.value);
  }
  const m = changes.length ? mean(changes) : 0;
  const volatility = changes.length > 1 ? Math.sqrt(mean(changes.map((c) => (c - m) ** 2))) : 0;
  const slope = points.length > 1 ? slopeOf(points) : 0;
  const falls = fallsOf(points);
  return {
    mean: points.length ? mean(points.map((p) => p.value)) : 0,
    slope,
    volatility,
    falls,
    steadyRise: changes.length > 1 && slope > 0 && volatility <= STEADY_MAX && falls.length === 0,
    risingWithFalls: changes.length > 1 && slope > 0 && falls.length > 0,
    highlyVariable: changes.length > 1 && volatility >= VARIABLE_MIN,
  };
}

/**
 * The series that is "much higher" than all others: above each of them in every common year, and its mean at least
 * MUCH_HIGHER_FACTOR times each of theirs. Null when no series qualifies.
 */
export function muchHigher(series: Record<string, Point[]>): string | null {
  const keys = Object.keys(series);
  for (const k of keys) {
    const mine = new Map(series[k]!.map((p) => [p.year, p.value]));
    const ok = keys
      .filter((o) => o !== k)
      .every((o) => {
        const theirs = series[o]!;
        const above = theirs.every((p) => !mine.has(p.year) || mine.get(p.year)! > p.value);
        const mo = mean(theirs.map((p) => p.value));
        const mk = mean(series[k]!.map((p) => p.value));
        return above && mo > 0 ? mk >= MUCH_HIGHER_FACTOR * mo : above && mk > 0;
      });
    if (ok && keys.length > 1) return k;
  }
  return null;
}

/** Where a sustained rise starts: the result of `riseOnset`. */
export interface RiseOnset {
  /** the first year of the rise */
  year: number;
  /** the last year the fit looked at (the year before the first break, or the series' end) */
  until: number;
  /** the mean level before the rise */
  levelBefore: number;
  /** the fitted level in `until` */
  levelAtEnd: number;
  /** yearly increase of the fitted rise */
  slope: number;
}

/** Fewest years on either side of an onset. */
const MIN_SIDE = 3;
/** The plateau before a rise may drift by at most this share of the rise's slope. */
const PLATEAU_SHARE = 0.25;

/**
 * The start of a sustained sharp rise, on the years before the series' first break (a break changes the level for
 * reasons of method). A segmented fit: a constant level before year s, a straight line from s on (a jump at s
 * allowed); s is the year of least squared error with at least MIN_SIDE years on either side. The rise is stated
 * only when it is sharp: the line rises (slope > 0) and its fitted level at the end is at least twice the level
 * before (or, when that level is ≤ 0, above zero), and when what comes before is a plateau (its own slope at most
 * PLATEAU_SHARE of the rise's; a series rising from its first year has no onset to name). Null otherwise.
 */
export function riseOnset(points: Point[]): RiseOnset | null {
  const firstBreak = points.findIndex((p) => p.break);
  const seg = firstBreak >= 0 ? points.slice(0, firstBreak) : points;
  let best: { s: number; sse: number; level: number; a: number; b: number } | null = null;
  for (let i = MIN_SIDE; i <= seg.length - MIN_SIDE; i++) {
    const before = seg.slice(0, i);
    const after = seg.slice(i);
    const level = mean(before.map((p) => p.value));
    const b = slopeOf(after);
    const a = mean(after.map((p) => p.value)) - b * mean(after.map((p) => p.year));
    const sse =
      before.reduce((s, p) => s + (p.value - level) ** 2, 0) +
      after.reduce((s, p) => s + (p.value - (a + b * p.year)) ** 2, 0);
    if (!best || sse < best.sse) best = { s: seg[i]!.year, sse, level, a, b };
  }
  if (!best) return null;
  const until = seg.at(-1)!.year;
  const levelAtEnd = best.a + best.b * until;
  // a plateau, then a rise: the years before s must be flat next to the rise (else the rise began earlier)
  const before = seg.filter((p) => p.year < best.s);
  const flat = Math.abs(slopeOf(before)) <= PLATEAU_SHARE * best.b;
  const sharp = flat && best.b > 0 && (best.level > 0 ? levelAtEnd >= 2 * best.level : levelAtEnd > 0);
  return sharp ? { year: best.s, until, levelBefore: best.level, levelAtEnd, slope: best.b } : null;
}
