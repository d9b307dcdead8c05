/**
 * `bulletin build --area municipalities`, chained: every municipal edition of the region in one run, with one browser.
 *
 *   1 config ─ 2–4 the year's tables read once, every municipality's indicators ─ shard (`--shard i/n`, or the
 *   scheduler's environment) ─ resume (skip an edition whose input hash is in the manifest) ─ a stream of areas, a few
 *   ahead of the printer, each rendered by `render` (steps 5–8; on a worker thread in the CLI, see
 *   thread.ts, so this thread only talks to the browser) and its folder published atomically as soon
 *   as its PDFs are in (step 9) ─ the manifest written after every area, so a run stopped half-way resumes where it
 *   stopped ─ index pages per language.
 *
 * One failed edition does not stop the others: it is tried once more, then listed in the manifest as failed.
 */

import { createHash } from "node:crypto";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { type Prepared, prepareYear, type RenderCache, templatesFor } from "../../chain/prepare.ts";
import { publishRecords, type RoundPattern } from "../../chain/round.ts";
import type { BuildRequest } from "../../chain/types.ts";
import { planEditions } from "../../config/editions.ts";
import { loadConfig } from "../../config/read-config.ts";
import type { Effects } from "../../effects.ts";
import { InputError, type Problem } from "../../errors/problem.ts";
import type { TemplateSet } from "../../narrative/read-templates.ts";
import { writeAtomic } from "../../publish/publish.ts";
import { areaBuilder, failureMessage, type PublishedFile, type Shared } from "./area.ts";
import { writeIndexPages } from "./index-pages.ts";
import { type Manifest, type ManifestEntry, type Shard, shardOf } from "./manifest.ts";

export interface BatchResult {
  manifest: Manifest;
  manifestPath: string;
  built: number;
  skipped: number;
  failed: ManifestEntry[];
}

const sha = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

export async function buildBatch(
  req: BuildRequest & { resume?: boolean; shard?: Shard },
  fx: Effects,
  progress: (done: number, total: number, failed: number) => void = () => {},
  opts: { builder?: typeof areaBuilder } = {},
): Promise<BatchResult> {
  const config = await loadConfig(req.configPath, fx); // 1
  const plan = planEditions(config, req);
  const cache: RenderCache = { prepared: new Map(), years: new Map() };
  // steps 5–9 of each area: on a worker thread when the caller gives one (the CLI), else on this thread. Asked for
  // now, so a worker thread loads its modules while this one reads the tables.
  let shared: (s: Shared) => void = () => {};
  const building = (opts.builder ?? areaBuilder)(req, fx, new Promise<Shared>((r) => (shared = r)));
  building.catch(() => {}); // awaited below
  const out = { problems: [] as Problem[], timings: {}, rounds: new Map<number, RoundPattern>() };
  const units: Prepared[] = [];
  for (const [year, areas] of plan) units.push(...(await prepareYear(config, req, year, areas, fx, out, cache))); // 2–4
  const errors = out.problems.filter((p) => p.severity === "error");
  if (errors.length)
    throw new InputError(`the data has ${errors.length} problem(s); nothing was written`, out.problems);
  units.sort((a, b) => a.year - b.year || a.area.nis.localeCompare(b.area.nis));
  cache.years?.clear(); // the tables: every area's indicators are computed, nothing reads them again
  const year = units[0]?.year ?? req.year ?? config.year;
  const outDir = req.outDir ?? config.output.dir;
  const dir = join(outDir, String(year), "municipalities");
  const manifestPath = join(
    dir,
    req.shard ? `manifest.shard-${req.shard.index}-of-${req.shard.count}.json` : "manifest.json",
  );
  // what every edition is made from, besides its own indicators
  const templates = await templatesFor(req, plan, fx);
  const common = await commonHash(templates, req.configPath, fx);
  const previous = (await fx.exists(manifestPath))
    ? (JSON.parse((await fx.readFile(manifestPath)).toString("utf8")) as Manifest)
    : undefined;
  const mine = shardOf(units, req.shard);
  const manifest: Manifest = {
    program: "migration-bulletin",
    year,
    expected: units.map((u) => u.area.nis),
    ...(req.shard ? { shard: req.shard } : {}),
    editions: [],
  };
  const hashOf = (u: Prepared) => sha(`${common}|${u.langs.join(",")}|${JSON.stringify(u.indicators)}`);
  const { todo, skipped } = await resumable(mine, { resume: req.resume, previous, hashOf, dir, manifest }, fx);
  const failed: ManifestEntry[] = [];
  // the progress counts editions (an area has one per language)
  const editionsOf = (list: Prepared[]) => list.reduce((n, u) => n + u.langs.length, 0);
  const total = editionsOf(mine);
  let done = total - editionsOf(todo);
  progress(done, total, 0);
  const entryOf = (u: Prepared, files: PublishedFile[]): ManifestEntry => ({
    year: u.year,
    area: u.area.nis,
    name: u.area.label.nl,
    langs: u.langs,
    files: files.map((f) => ({ path: `${u.area.nis}/${f.path}`, sha256: f.sha256 })),
    inputHash: hashOf(u),
    status: "built",
  });
  shared({ config, templates, cache });
  const builder = await building;
  const saver = manifestSaver(fx, manifestPath, manifest);
  const saveManifest = saver.save;
  /** One area: rendered and published, or tried once more and then listed as failed; the others go on. */
  const buildArea = async (u: Prepared) => {
    const files = await twice(() => builder.build(u));
    if (Array.isArray(files)) manifest.editions.push(entryOf(u, files));
    else {
      const entry: ManifestEntry = { ...entryOf(u, []), status: "failed", error: failureMessage(files.error) };
      manifest.editions.push(entry);
      failed.push(entry);
    }
    done += u.langs.length;
    progress(
      done,
      total,
      failed.reduce((n, f) => n + f.langs.length, 0),
    );
    await saveManifest();
  };
  try {
    await inStream(todo, buildArea);
  } finally {
    await saver.settled();
    await builder.close(); // its thread would keep the process alive
  }
  await writeAtomic(fx, manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  await publishRecords(out, outDir, fx); // the round's record: the same from every shard
  if (!req.shard) await writeIndexPages(fx, dir, manifest, config.title);
  return { manifest, manifestPath, built: todo.length - failed.length, skipped, failed };
}

/** What every edition is made from, besides its own indicators: the templates, the labels, config.yml, the program. */
async function commonHash(templates: TemplateSet, configPath: string, fx: Effects) {
  return sha(
    JSON.stringify([
      Object.entries(templates.narrative).map(([l, t]) => [l, Object.entries(t).map(([k, v]) => [k, v.source])]),
      Object.entries(templates.locales).map(([l, loc]) => [l, loc.labels]),
      templates.layout,
      templates.css,
      (await fx.readFile(configPath)).toString("utf8"),
      process.env.npm_package_version ?? "",
    ]),
  );
}

/** `--resume`: the areas whose inputs and files are those of the previous manifest are kept as they are (into
 * `manifest`); the others are to do. */
async function resumable(
  units: Prepared[],
  o: {
    resume?: boolean;
    previous?: Manifest;
    hashOf: (u: Prepared) => string;
    dir: string;
    manifest: Manifest;
  },
  fx: Effects,
) {
  const unchanged = async (u: Prepared) => {
    const e = o.previous?.editions.find((x) => x.area === u.area.nis && x.year === u.year);
    if (!o.resume || !e || e.status !== "built" || e.inputHash !== o.hashOf(u)) return undefined;
    for (const f of e.files) if (!(await fx.exists(join(o.dir, f.path)))) return undefined;
    return e;
  };
  const todo: Prepared[] = [];
  let skipped = 0;
  for (const u of units) {
    const kept = await unchanged(u);
    if (kept) {
      o.manifest.editions.push(kept);
      skipped++;
    } else todo.push(u);
  }
  return { todo, skipped };
}

/**
 * The manifest is written after every published area (a stopped run resumes from it), one write at a time: an area
 * published while a write is under way is in the next one.
 */
function manifestSaver(fx: Effects, path: string, manifest: Manifest) {
  let writing: Promise<void> | undefined;
  let dirty = false;
  const save = async (): Promise<void> => {
    dirty = true;
    if (writing) return writing;
    writing = (async () => {
      while (dirty) {
        dirty = false;
        manifest.editions.sort((a, b) => a.area.localeCompare(b.area));
        await writeAtomic(fx, path, `${JSON.stringify(manifest, null, 2)}\n`);
      }
    })().finally(() => {
      writing = undefined;
    });
    return writing;
  };
  return { save, settled: async () => void (await writing?.catch(() => {})) };
}

/** A task tried once more when it fails (a print cut short by a browser restart succeeds the second time). */
async function twice<T>(task: () => Promise<T>): Promise<T | { error: unknown }> {
  try {
    return await task();
  } catch {
    try {
      return await task();
    } catch (error) {
      return { error };
    }
  }
}

/**
 * A stream, not chunks: a few areas are drawn ahead of the printer (their HTML waits at the page pool while this
 * thread draws the next), each published as soon as its PDFs are in. The printer never waits for a chunk to end, and
 * memory holds a few areas, not a chunk's.
 */
async function inStream<T>(items: T[], each: (item: T) => Promise<void>) {
  const ahead = Math.max(2, availableParallelism() + 1);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(ahead, items.length) }, async () => {
      while (next < items.length) await each(items[next++]!);
    }),
  );
}
