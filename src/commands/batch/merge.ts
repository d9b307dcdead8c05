/**
 * `bulletin manifest merge DIR…`: the parts the shards of a municipal batch wrote (manifest.shard-I-of-N.json) joined
 * into manifest.json and the index pages, with the editions no part has or two parts have.
 */
import { join } from "node:path";
import { loadConfig } from "../../config/read-config.ts";
import type { Lang } from "../../core/domain.ts";
import type { Effects } from "../../effects.ts";
import { BulletinError, ExitCode } from "../../errors/problem.ts";
import { writeAtomic } from "../../publish/publish.ts";
import { writeIndexPages } from "./index-pages.ts";
import type { Manifest, ManifestEntry } from "./manifest.ts";

/** `bulletin manifest merge DIR…`: the shards' parts joined into manifest.json, with what is missing or doubled. */
export async function mergeManifests(
  paths: string[],
  fx: Effects,
  title: Record<Lang, string>,
): Promise<{ manifest: Manifest; path: string; missing: string[]; duplicates: string[] }> {
  const parts: Manifest[] = [];
  for (const p of paths) {
    const files = (await fx.exists(join(p, "manifest.json"))) && !p.endsWith(".json") ? [] : [p];
    const list = p.endsWith(".json")
      ? files
      : (await fx.list(p)).filter((f) => /^manifest\.shard-\d+-of-\d+\.json$/.test(f)).map((f) => join(p, f));
    for (const f of list) parts.push(JSON.parse((await fx.readFile(f)).toString("utf8")) as Manifest);
  }
  if (!parts.length)
    throw new BulletinError(`no manifest parts (manifest.shard-I-of-N.json) in ${paths.join(", ")}`, 1);
  const seen = new Map<string, ManifestEntry>();
  const duplicates: string[] = [];
  for (const part of parts)
    for (const e of part.editions) {
      if (seen.has(e.area)) duplicates.push(e.area);
      else seen.set(e.area, e);
    }
  const expected = [...new Set(parts.flatMap((p) => p.expected))].sort();
  const missing = expected.filter((a) => !seen.has(a));
  const manifest: Manifest = {
    program: "migration-bulletin",
    year: parts[0]!.year,
    expected,
    editions: [...seen.values()].sort((a, b) => a.area.localeCompare(b.area)),
  };
  const dir = paths[0]!.endsWith(".json") ? join(paths[0]!, "..") : paths[0]!;
  const path = join(dir, "manifest.json");
  await writeAtomic(fx, path, `${JSON.stringify(manifest, null, 2)}\n`);
  await writeIndexPages(fx, dir, manifest, title);
  return { manifest, path, missing, duplicates };
}

/** One index page per language, linking every municipal edition built. */
/** `bulletin manifest merge DIR…` as the command line runs it (exit 1 when an edition is missing or doubled). */
export async function runMerge(dirs: string[], o: { config: string }, fx: Effects) {
  const config = await loadConfig(o.config, fx);
  const r = await mergeManifests(dirs, fx, config.title);
  process.stderr.write(`wrote ${r.path}: ${r.manifest.editions.length} editions\n`);
  if (r.missing.length) process.stderr.write(`missing (${r.missing.length}): ${r.missing.join(", ")}\n`);
  if (r.duplicates.length) process.stderr.write(`in more than one part: ${r.duplicates.join(", ")}\n`);
  if (r.missing.length || r.duplicates.length) process.exitCode = ExitCode.badInput;
}
