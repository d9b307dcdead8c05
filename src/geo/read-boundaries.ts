import type { Effects } from "../effects.ts";

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
