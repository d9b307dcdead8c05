/**
 * `bulletin geo import`, chained: 1 config ─ 2 the boundary file, reprojected and simplified ─ 3 the municipality
 * list ─ 4 matched against the region's municipalities ─ 5 written atomically (the file config.yml names for the geography, e.g. data/geo/municipalities-2025.topo.json).
 */
import { join } from "node:path";
import { loadConfig } from "../config/read-config.ts";
import { validIn } from "../data/harmonise.ts";
import { readOneTable } from "../data/read-datasets.ts";
import type { Effects } from "../effects.ts";
import { InputError } from "../errors/problem.ts";
import { type BoundaryMatch, matchBoundaries } from "../geo/match.ts";
import { boundaryFileFor } from "../geo/read-boundaries.ts";
import { writeAtomic } from "../publish/publish.ts";

export async function importGeo(
  req: {
    file: string;
    configPath: string;
    /** where to write; default: the boundary file config.yml names for the geography */
    out?: string;
    /** the year whose municipalities the file holds (default: the config's year) */
    geography?: number;
    codeField?: string;
    nameField?: string;
    keep?: number;
  },
  fx: Effects,
): Promise<BoundaryMatch> {
  const config = await loadConfig(req.configPath, fx); // 1
  const { importBoundaries } = await import("../geo/import-boundaries.ts");
  const read = async (p: string) => ((await fx.exists(p)) ? fx.readFile(p) : undefined);
  const r = await importBoundaries(req.file, read, req); // 2
  const { table, problems } = await readOneTable(config, "municipalities", fx); // 3
  if (problems.length) throw new InputError(`cannot read ${table.file}`, problems);
  const geography = req.geography ?? config.year;
  const munis = table.rows
    .filter((m) => m.region === config.geography.region && validIn(m, geography))
    .map((m) => ({ nis: m.nis as string, name: m.name_nl as string }));
  const configured = boundaryFileFor(config.data.boundaries, geography);
  const out = req.out ?? join(config.data.dir, configured ?? `geo/municipalities-${geography}.topo.json`);
  const match = matchBoundaries(r.codes, munis, { region: config.geography.region, out, geography }); // 4
  await writeAtomic(fx, out, JSON.stringify(r.topology)); // 5
  return match;
}
