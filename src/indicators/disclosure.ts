/*
 * Statistical disclosure control for small areas (municipal editions).
 *
 * The rule (config.yml `disclosure`): a count of 1 to minCount − 1 persons is never published (primary suppression,
 * shown as "<5"); zeros are published. Where published figures add up (the components or nationality groups of a
 * direction add up to its total, the men and women of a nationality to its total, the years of the period to the
 * period's sum), a suppressed count could be worked out from the others: such a line gets a second suppressed cell
 * (secondary suppression, shown as "x"), the smallest published non-zero part, or else its total.
 *
 * "Worked out" is tested, not guessed: a reader knows the rule, so a primary cell lies in [1, minCount − 1] and a
 * secondary one ("x", which may also be a small total of hidden parts) in [1, ∞); every line is a sum. Bounds are
 * propagated through all lines until nothing changes; a "<5" cell that loses any value from 1 to minCount − 1, or
 * an "x" cell left with one, is a leak, and the loop suppresses more until there is none. The property test
 * (test/disclosure.test.ts) checks the result by brute force on random small tables.
 */

export interface DisclosureRule {
  /** counts of 1 … minCount − 1 are suppressed */
  minCount: number;
  /** a rate whose population is below this is shown as not reliable */
  rateMinPopulation: number;
  /** a rate of fewer events than this is shown as not reliable */
  rateMinEvents: number;
}

export const DEFAULT_RULE: DisclosureRule = { minCount: 5, rateMinPopulation: 1_000, rateMinEvents: 20 };

/** A sum that published figures make: the parts add up to the total. Ids name quantities (counts). */
export interface Line {
  parts: string[];
  total: string;
}

export interface Suppression {
  /** counts 1 … minCount − 1 */
  primary: Set<string>;
  /** counts suppressed so that the primary ones cannot be worked out */
  secondary: Set<string>;
}

type Bounds = Map<string, [number, number]>;

/** The bounds a reader can derive for every quantity from what is published and the lines. */
export function readerBounds(values: Map<string, number>, lines: Line[], s: Suppression, minCount: number): Bounds {
  const b: Bounds = new Map();
  for (const [id, v] of values) {
    if (s.primary.has(id)) b.set(id, [1, minCount - 1]);
    else if (s.secondary.has(id))
      b.set(id, [1, Number.POSITIVE_INFINITY]); // "x": any count
    else b.set(id, [v, v]);
  }
  for (let round = 0, changed = true; changed && round < 100; round++) {
    changed = false;
    for (const l of lines) {
      const parts = l.parts.map((p) => b.get(p)!);
      const lo = parts.reduce((a, p) => a + p[0], 0);
      const hi = parts.reduce((a, p) => a + p[1], 0);
      const t = b.get(l.total)!;
      const nt: [number, number] = [Math.max(t[0], lo), Math.min(t[1], hi)];
      if (nt[0] !== t[0] || nt[1] !== t[1]) {
        b.set(l.total, nt);
        changed = true;
      }
      l.parts.forEach((p, i) => {
        const cur = b.get(p)!;
        // summed without the part itself (∞ − ∞ is not a number)
        const othersLo = parts.reduce((a, q, j) => (j === i ? a : a + q[0]), 0);
        const othersHi = parts.reduce((a, q, j) => (j === i ? a : a + q[1]), 0);
        const n: [number, number] = [Math.max(cur[0], nt[0] - othersHi), Math.min(cur[1], nt[1] - othersLo)];
        if (n[0] !== cur[0] || n[1] !== cur[1]) {
          b.set(p, n);
          changed = true;
        }
      });
    }
  }
  return b;
}

/** The suppression of `values` under `rule` with the `lines` they make (see the top of this file). Pure. */
export function suppress(
  values: Map<string, number>,
  lines: Line[],
  rule: Pick<DisclosureRule, "minCount">,
): Suppression {
  const m = rule.minCount;
  const s: Suppression = {
    primary: new Set([...values].filter(([, v]) => v >= 1 && v < m).map(([id]) => id)),
    secondary: new Set(),
  };
  const hidden = (id: string) => s.primary.has(id) || s.secondary.has(id);
  for (let guard = 0; guard < values.size + 1; guard++) {
    // a small total of two or more hidden parts is shown "x": "<5" on it and on its parts would tell the parts
    // apart (three "<5" years of a "<5" period are 1 or 2 each)
    for (const l of lines)
      if (s.primary.has(l.total) && l.parts.filter(hidden).length >= 2) {
        s.primary.delete(l.total);
        s.secondary.add(l.total);
      }
    const b = readerBounds(values, lines, s, m);
    // the promise: a "<5" cell keeps every value from 1 to minCount − 1, an "x" cell more than one value
    const leak = [...values.keys()].find((id) => {
      const [lo, hi] = b.get(id)!;
      return s.primary.has(id) ? lo > 1 || hi < m - 1 : s.secondary.has(id) && lo === hi;
    });
    if (!leak) return s;
    // the nearest lines first (those holding the pinned cell, then those linked to them through hidden cells): hide
    // their smallest published non-zero part, or else their total
    const pick = nearestCandidate(leak, values, lines, hidden);
    if (pick) {
      s.secondary.add(pick);
      continue;
    }
    // everything linked to it is hidden already: a small total linked to it is shown "x", so that it no longer
    // bounds its parts by minCount − 1 (a "<5" period whose one hidden year is itself a sum of two "<5" parts)
    const total = nearestSmallTotal(leak, lines, s);
    if (!total) return s;
    s.primary.delete(total);
    s.secondary.add(total);
  }
  return s;
}

function nearestCandidate(
  leak: string,
  values: Map<string, number>,
  lines: Line[],
  hidden: (id: string) => boolean,
): string | undefined {
  const frontier = new Set([leak]);
  const done = new Set<Line>();
  while (frontier.size) {
    const layer = lines.filter((l) => !done.has(l) && (l.parts.some((p) => frontier.has(p)) || frontier.has(l.total)));
    if (!layer.length) return undefined;
    const byValue = (a: string, b: string) => values.get(a)! - values.get(b)! || a.localeCompare(b);
    const parts = layer.flatMap((l) => l.parts).filter((p) => !hidden(p) && values.get(p)! > 0);
    if (parts.length) return parts.sort(byValue)[0];
    const totals = layer.map((l) => l.total).filter((t) => !hidden(t) && values.get(t)! > 0);
    if (totals.length) return totals.sort(byValue)[0];
    frontier.clear();
    for (const l of layer) {
      done.add(l);
      for (const q of [...l.parts, l.total]) if (hidden(q)) frontier.add(q);
    }
  }
  return undefined;
}

/** The "<5" total nearest to `leak` through lines of hidden cells (undefined: none). */
function nearestSmallTotal(leak: string, lines: Line[], s: Suppression): string | undefined {
  const seen = new Set([leak]);
  let frontier = [leak];
  while (frontier.length) {
    const layer = lines.filter((l) => frontier.some((f) => l.total === f || l.parts.includes(f)));
    const small = layer.map((l) => l.total).filter((t) => s.primary.has(t) && t !== leak);
    if (small.length) return small.sort()[0];
    frontier = [];
    for (const l of layer)
      for (const q of [...l.parts, l.total])
        if (!seen.has(q) && (s.primary.has(q) || s.secondary.has(q))) {
          seen.add(q);
          frontier.push(q);
        }
  }
  return undefined;
}

/** Whether a rate is reliable under the rule. */
export const rateReliable = (rule: DisclosureRule, population: number, events: number) =>
  population >= rule.rateMinPopulation && Math.abs(events) >= rule.rateMinEvents;
