/** Seeded randomness and integer allocation for the demonstration data (same seed, same bytes). */

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One random stream; `reseed` starts another (the 2025 data are drawn from a second stream, so adding them left every
 * earlier value unchanged). */
export class Random {
  private rng: () => number;
  constructor(seed: number) {
    this.rng = mulberry32(seed);
  }
  reseed(seed: number) {
    this.rng = mulberry32(seed);
  }
  next(): number {
    return this.rng();
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.rng();
  }
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng() * (i + 1));
      [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
    }
    return xs;
  }
}

/** Integer allocation of `total` proportional to `weights` (largest remainder); sums exactly to total. */
export function allocate(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map(() => 0);
  const raw = weights.map((w) => (total * w) / sum);
  const out = raw.map((r) => Math.floor(r));
  let rest = total - out.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; rest > 0; k = (k + 1) % order.length, rest--) out[order[k]?.[1] ?? 0]! += 1;
  return out;
}

export function signedAllocate(total: number, weights: number[]): number[] {
  // Weights may be negative (municipalities with a negative balance); allocate on the absolute scale.
  const sum = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((w) => (total * w) / sum);
  const out = raw.map((r) => Math.round(r));
  let diff = total - out.reduce((a, b) => a + b, 0);
  const order = weights
    .map((w, i) => [w, i] as const)
    .filter(([w]) => w > 0)
    .sort((a, b) => b[0] - a[0]);
  for (let k = 0; diff !== 0; k = (k + 1) % order.length) {
    const step = Math.sign(diff);
    out[order[k]![1]]! += step;
    diff -= step;
  }
  return out;
}

export function fail(msg: string): never {
  throw new Error(`demo data calibration failed: ${msg}`);
}

/** A CSV field, quoted when it must be. */
export const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
