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
import type { Lang } from "../../core/domain.ts";
import type { Effects } from "../../effects.ts";
import { BulletinError, InputError, type Problem } from "../../errors/problem.ts";
import type { TemplateSet } from "../../narrative/read-templates.ts";
import { writeAtomic } from "../../publish/publish.ts";
import { areaBuilder, failureMessage, type PublishedFile, type Shared } from "./area.ts";

export interface Shard {
  /** 1-based */
  index: number;
  count: number;
}

export interface ManifestEntry {
  year: number;
  area: string;
  name: string;
  langs: Lang[];
  /** the files of the area's folder, relative to the manifest's folder, with their sha256 */
  files: { path: string; sha256: string }[];
  /** sha256 of what the edition is made from: its indicators, the templates, config.yml and the program's version */
  inputHash: string;
  status: "built" | "failed";
  error?: string;
}

export interface Manifest {
  program: string;
  year: number;
  /** every area of the whole run (all shards): `manifest merge` reports those no part has */
  expected: string[];
  shard?: Shard;
  editions: ManifestEntry[];
}

export interface BatchResult {
  manifest: Manifest;
  manifestPath: string;
  built: number;
  skipped: number;
  failed: ManifestEntry[];
}

/** The shard of this process: `--shard i/n`, else a Kubernetes Indexed Job or a CI matrix's environment. */
export function shardFrom(arg: string | undefined, env: NodeJS.ProcessEnv, shards?: number): Shard | undefined {
  if (arg) {
    const m = /^(\d+)\/(\d+)$/.exec(arg);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]))
      throw new BulletinError(`--shard ${arg}: write it as i/n with 1 ≤ i ≤ n, e.g. 2/3`, 2);
    return { index: Number(m[1]), count: Number(m[2]) };
  }
  // Kubernetes Indexed Job: JOB_COMPLETION_INDEX is 0-based; the number of completions comes with --shards
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    const count = shards ?? Number(env.BULLETIN_SHARDS);
    if (!count) throw new BulletinError("JOB_COMPLETION_INDEX is set: pass the Job's completions as --shards N", 2);
    return { index: Number(env.JOB_COMPLETION_INDEX) + 1, count };
  }
  // GitLab CI parallel jobs (and any matrix that sets them): 1-based
  if (env.CI_NODE_INDEX !== undefined && env.CI_NODE_TOTAL !== undefined)
    return { index: Number(env.CI_NODE_INDEX), count: Number(env.CI_NODE_TOTAL) };
  return undefined;
}

/** The areas of one shard: a deterministic share (every n-th of the sorted list). */
export const shardOf = <T>(units: T[], s: Shard | undefined) =>
  s ? units.filter((_, i) => i % s.count === s.index - 1) : units;

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
    try {
      manifest.editions.push(entryOf(u, await builder.build(u)));
    } catch {
      try {
        // a print cut short by a browser restart succeeds the second time
        manifest.editions.push(entryOf(u, await builder.build(u)));
      } catch (e) {
        const message = failureMessage(e);
        const entry: ManifestEntry = { ...entryOf(u, []), status: "failed", error: message };
        manifest.editions.push(entry);
        failed.push(entry);
      }
    }
    done += u.langs.length;
    progress(
      done,
      total,
      failed.reduce((n, f) => n + f.langs.length, 0),
    );
    await saveManifest();
  };
  // A stream, not chunks: a few areas are drawn ahead of the printer (their HTML waits at the page pool while this
  // thread draws the next), each published as soon as its PDFs are in. The printer never waits for a chunk to end,
  // and memory holds a few areas, not a chunk's.
  const ahead = Math.max(2, availableParallelism() + 1);
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(ahead, todo.length) }, async () => {
        while (next < todo.length) await buildArea(todo[next++]!);
      }),
    );
  } finally {
    await saver.settled();
    await builder.close(); // its threads would keep the process alive
    await cache.writer?.close();
  }
  await writeAtomic(fx, manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  await publishRecords(out, outDir, fx); // the round's record: the same from every shard
  if (!req.shard) await writeIndexPages(fx, dir, manifest, config.title);
  return { manifest, manifestPath, built: todo.length - failed.length, skipped, failed };
}

export async function writeIndexPages(fx: Effects, dir: string, m: Manifest, title: Record<Lang, string>) {
  const langs = [...new Set(m.editions.flatMap((e) => e.langs))] as Lang[];
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  for (const lang of langs) {
    const heading = lang === "nl" ? `${title.nl} ${m.year}: gemeenten` : `${title.en} ${m.year}: municipalities`;
    const items = m.editions
      .filter((e) => e.status === "built" && e.langs.includes(lang))
      .map(
        (e) =>
          `<li><a href="${e.area}/${lang}/bulletin.html">${esc(e.name)}</a> <small>(${e.area}, <a href="${e.area}/${lang}/bulletin.pdf">PDF</a>)</small></li>`,
      )
      .join("\n");
    await writeAtomic(
      fx,
      join(dir, `index.${lang}.html`),
      `<!doctype html>\n<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(heading)}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}li{margin:.2rem 0}</style></head><body><h1>${esc(heading)}</h1><ol>\n${items}\n</ol></body></html>\n`,
    );
  }
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
