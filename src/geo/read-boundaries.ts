import { join } from "node:path";
import type { Effects } from "../effects.ts";

/**
 * The boundary file of the municipalities of year `geography`: the one file, or of several (keyed by the first year
 * each applies to) the latest not after it; undefined when every file is for a later geography.
 */
export function boundaryFileFor(spec: string | Record<string, string>, geography: number): string | undefined {
  if (typeof spec === "string") return spec;
  const from = Object.keys(spec)
    .map(Number)
    .filter((y) => y <= geography)
    .sort((a, b) => b - a)[0];
  return from === undefined ? undefined : spec[String(from)];
}

/** The boundaries of each edition's municipalities, each file read once for the whole run. */
export function boundaryReader(dataDir: string, fx: Pick<Effects, "exists" | "readFile" | "warn">) {
  const cache = new Map<string, Promise<unknown>>();
  return (p: { boundaries: string | undefined }): Promise<unknown> => {
    if (!p.boundaries) return Promise.resolve(undefined);
    const path = join(dataDir, p.boundaries);
    if (!cache.has(path)) cache.set(path, readBoundaries(path, fx));
    return cache.get(path)!;
  };
}

/** The imported boundaries, or undefined (the map then falls back to a ranking; never an error, a warning). */
export async function readBoundaries(
  path: string,
  fx: Pick<Effects, "exists" | "readFile" | "warn">,
): Promise<unknown> {
  if (!(await fx.exists(path))) return undefined;
  try {
    const topo = JSON.parse((await fx.readFile(path)).toString("utf8")) as {
      type?: string;
      objects?: Record<string, unknown>;
    };
    if (topo.type === "Topology" && topo.objects?.municipalities) return topo;
    fx.warn(
      `${path} has no TopoJSON object \`municipalities\`; the map falls back to a ranking (re-run \`bulletin geo import\`)`,
    );
  } catch {
    fx.warn(`${path} is not valid JSON; the map falls back to a ranking (re-run \`bulletin geo import\`)`);
  }
  return undefined;
}
