/**
 * `bulletin geo import`, chained: 1 config ─ 2 the boundary file, reprojected and simplified ─ 3 the municipality
 * list ─ 4 matched against the region's municipalities ─ 5 written atomically (data/geo/municipalities.topo.json).
 */
import { loadConfig } from "./config/read-config.ts";
import { readOneTable } from "./data/read-datasets.ts";
import type { Effects } from "./effects.ts";
import { InputError } from "./errors/problem.ts";
import { type BoundaryMatch, matchBoundaries } from "./geo/match.ts";
import { writeAtomic } from "./publish/publish.ts";

export async function importGeo(
  req: { file: string; configPath: string; out: string; codeField?: string; nameField?: string; keep?: number },
  fx: Effects,
): Promise<BoundaryMatch> {
  const config = await loadConfig(req.configPath, fx); // 1
  const { importBoundaries } = await import("./geo/import-boundaries.ts");
  const read = async (p: string) => ((await fx.exists(p)) ? fx.readFile(p) : undefined);
  const r = await importBoundaries(req.file, read, req); // 2
  const { table, problems } = await readOneTable(config, "municipalities", fx); // 3
  if (problems.length) throw new InputError(`cannot read ${table.file}`, problems);
  const munis = table.rows
    .filter((m) => m.region === config.geography.region)
    .map((m) => ({ nis: m.nis as string, name: m.name_nl as string }));
  const match = matchBoundaries(r.codes, munis, { region: config.geography.region, out: req.out }); // 4
  await writeAtomic(fx, req.out, JSON.stringify(r.topology)); // 5
  return match;
}
