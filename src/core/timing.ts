/** Time spent per stage (ms, summed over the editions of a run). */
export type Timings = Record<string, number>;
/** When things happened, in ms since the process started (performance.now()): shows the critical path. */
export type Marks = Record<string, number>;

export async function timed<T>(timings: Timings, name: string, f: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    timings[name] = (timings[name] ?? 0) + performance.now() - t0;
  }
}

export function timedSync<T>(timings: Timings, name: string, f: () => T): T {
  const t0 = performance.now();
  try {
    return f();
  } finally {
    timings[name] = (timings[name] ?? 0) + performance.now() - t0;
  }
}

export function marker(marks: Marks): (name: string) => void {
  return (name) => {
    marks[name] = Math.round(performance.now());
  };
}
