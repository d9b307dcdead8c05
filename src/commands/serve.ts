/**
 * `bulletin serve`, chained: the editions rendered in memory by `render` (HTML only, with the preview's caches), served
 * over HTTP (serve/server.ts), rebuilt when templates/, config.yml or data/ change, and the open pages reloaded.
 *
 *   change in templates/  → the templates and locales are read again; narrative, charts whose spec changed, HTML
 *   change in config.yml or data/ → steps 2–4 again (tables, validation, indicators), then the rest
 *   /…/bulletin.pdf       → printed on request from the current HTML by the browser the preview keeps warm
 *
 * A failed rebuild leaves the last good pages in place and shows its problems over them (the text `check` prints).
 * Why one file: the editions the preview holds (Held), the watch that rebuilds them and the resolver that serves them
 * are one command's parts, each its own function or class.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { watch } from "chokidar";
import { render } from "../chain/pipeline.ts";
import type { RenderCache } from "../chain/prepare.ts";
import type { BuiltArea } from "../chain/types.ts";
import type { ChartCache } from "../charts/render-charts.ts";
import { loadConfig } from "../config/read-config.ts";
import type { Config } from "../config/schema.ts";
import type { Lang } from "../core/domain.ts";
import { flowFile } from "../data/read-datasets.ts";
import type { Effects } from "../effects.ts";
import { BulletinError, formatProblem, UsageError } from "../errors/problem.ts";
import { boundaryReader } from "../geo/read-boundaries.ts";
import { templatesDirFor } from "../narrative/read-templates.ts";
import { indexPage, livePage, overlayHtml } from "../serve/live.ts";
import { BASE_HEAP, fullGc, sizeOf } from "../serve/memory.ts";
import { type PreviewServer, type Resource, startServer, typeOf } from "../serve/server.ts";
import { untilStopped } from "./report.ts";

/** How long the files must be quiet before a rebuild starts (one save often fires two or three events). */
const QUIET_MS = 15;
/** after a rebuild: longer than chokidar folds a second change of a file into the first (50 ms) */
const SETTLE_MS = 80;

export interface ServeRequest {
  configPath: string;
  year?: number;
  area?: string;
  host: string;
  port: number;
  /** the editions kept in memory, in MB of what they hold (default 256): past it the least recently viewed go */
  memoryMb?: number;
}

/** What a rebuild did: what changed, how long it took, and its problems (when it failed). */
export interface Rebuild {
  cause: "start" | "templates" | "config" | "data";
  ms: number;
  ok: boolean;
  problems?: string;
}

export interface Preview {
  url: string;
  /** resolves with the next rebuild that finishes */
  nextRebuild(): Promise<Rebuild>;
  close(): Promise<void>;
}

interface Target {
  year: number;
  area: string;
  base: string;
  cache: RenderCache;
  built?: BuiltArea;
  problems?: string;
  /** the rules of the problems (an unknown area is not found, not a build error) */
  rules?: string[];
  /** what its editions hold, in bytes (sizeOf) */
  bytes: number;
}

export async function serve(req: ServeRequest, fx: Effects): Promise<Preview> {
  const config = await loadConfig(req.configPath, fx);
  const region = config.geography.region;
  const held = new Held(req, config, fx);
  const first = held.targetOf(req.year ?? config.year, req.area ?? region);
  const t0 = performance.now();
  await held.rebuild(first);
  fx.log(`built in ${Math.round(performance.now() - t0)} ms`);
  if (first.problems) fx.warn(`the preview could not be built:\n${first.problems}`);
  let server: PreviewServer | undefined;
  const changes = await watchChanges(req, config, held, fx, (r) => {
    if (r.ok) {
      fx.log(`rebuilt (${r.cause}) in ${Math.round(r.ms)} ms`);
      server?.broadcast("reload", { cause: r.cause, ms: r.ms });
    } else {
      fx.warn(`the preview could not be rebuilt (${r.cause}):\n${r.problems}`);
      server?.broadcast("problems", { html: overlayHtml(r.problems ?? "") });
    }
  });
  server = await startServer({
    host: req.host,
    port: req.port,
    resolve: resolverOf(req, config, held, fx),
    onError: (e) => fx.warn(`the preview failed: ${(e as Error).message}`),
  });
  const url = `${server.url}${first.base.slice(1)}${config.languages[0]}/`;
  return {
    url,
    nextRebuild: changes.nextRebuild,
    close: async () => {
      await changes.close();
      await server?.close();
    },
  };
}

/**
 * The editions the preview holds, most recently used last, within its memory budget; what they all share (the
 * tables of each year, the templates, the boundary files) is held once, whatever their number, and each has its own
 * charts by spec (dropped with it).
 */
class Held {
  readonly targets = new Map<string, Target>();
  readonly shared: Pick<RenderCache, "templates" | "boundaries" | "years">;
  private readonly budget: number;
  constructor(
    private readonly req: ServeRequest,
    private readonly config: Config,
    private readonly fx: Effects,
  ) {
    this.shared = { years: new Map(), boundaries: boundaryReader(config.data.dir, fx) };
    this.budget = (req.memoryMb ?? 256) * 1e6;
  }
  private cacheOf(): RenderCache {
    const shared = this.shared;
    return {
      prepared: new Map(),
      charts: new Map() as ChartCache,
      get years() {
        return shared.years;
      },
      get boundaries() {
        return shared.boundaries;
      },
      get templates() {
        return shared.templates;
      },
      set templates(t) {
        shared.templates = t;
      },
    };
  }
  /** as in output/: a municipality under municipalities/, any other area under areas/ (both paths serve either) */
  private baseOf(year: number, area: string) {
    return area === this.config.geography.region
      ? `/${year}/`
      : `/${year}/${/^\d{2}0{3}$|^20001$/.test(area) ? "areas" : "municipalities"}/${area}/`;
  }
  /** The target of an edition, now the most recently used (last in `targets`). */
  targetOf(year: number, area: string): Target {
    const key = `${year}|${area}`;
    const t = this.targets.get(key) ?? { year, area, base: this.baseOf(year, area), cache: this.cacheOf(), bytes: 0 };
    this.targets.delete(key);
    this.targets.set(key, t);
    return t;
  }
  /** Drops the least recently used editions while they hold more than the budget; never `keep` (on screen). */
  evict(keep: Target) {
    let total = [...this.targets.values()].reduce((a, t) => a + t.bytes, 0);
    for (const [key, t] of this.targets) {
      if (total <= this.budget) break;
      if (t === keep) continue;
      this.targets.delete(key);
      total -= t.bytes;
    }
    // V8 collects lazily and lets the heap grow far past what is live (RSS 990 MB after 150 municipal editions,
    // 530 MB with this): a full collection once the heap passes the budget and the program's own keeps it near that
    if (process.memoryUsage().heapUsed > this.budget + BASE_HEAP) fullGc?.();
  }
  /** Renders a target's editions; on failure keeps the last good ones and records the problems. */
  async rebuild(t: Target): Promise<boolean> {
    try {
      const built = await render(
        { configPath: this.req.configPath, year: t.year, areas: [t.area], formats: ["html"], preview: t.cache },
        this.fx,
      );
      t.built = built.areas[0];
      t.problems = undefined;
      t.rules = undefined;
      t.bytes = t.built ? sizeOf(t.built) : 0;
      return true;
    } catch (e) {
      t.problems =
        e instanceof BulletinError && e.problems.length
          ? e.problems.map(formatProblem).join("\n")
          : `${(e as Error).message ?? String(e)}`;
      t.rules = e instanceof BulletinError ? e.problems.map((p) => p.rule) : [];
      return false;
    }
  }
  /** What a change of the files makes stale: the templates, or the tables and what was prepared from them. */
  forget(cause: Rebuild["cause"]) {
    if (cause === "templates") this.shared.templates = undefined;
    else {
      this.shared.years?.clear();
      this.shared.boundaries = boundaryReader(this.config.data.dir, this.fx);
      for (const t of this.targets.values()) t.cache.prepared.clear();
    }
  }
}

/**
 * The watch on templates/, config.yml and data/: rebuilds one at a time, changes that arrive meanwhile folded into
 * one more, each announced when it ends.
 */
async function watchChanges(
  req: ServeRequest,
  config: Config,
  held: Held,
  fx: Effects,
  announce: (r: Rebuild) => void,
) {
  const waiting: ((r: Rebuild) => void)[] = [];
  let running: Promise<void> | undefined;
  let pending: Rebuild["cause"] | undefined;
  let changedAt = 0;
  const runRebuilds = () => {
    if (running) return;
    running = (async () => {
      while (pending) {
        const cause = pending;
        pending = undefined;
        const start = changedAt;
        built = await signatures(); // what this rebuild reads (a later change is compared with it)
        let ok = true;
        for (const t of [...held.targets.values()]) ok = (await held.rebuild(t)) && ok;
        const onScreen = [...held.targets.values()].at(-1);
        if (onScreen) held.evict(onScreen);
        const problems = [...held.targets.values()]
          .map((t) => t.problems)
          .filter(Boolean)
          .join("\n");
        const r: Rebuild = { cause, ms: performance.now() - start, ok, ...(ok ? {} : { problems }) };
        announce(r);
        for (const w of waiting.splice(0)) w(r);
      }
    })().finally(() => {
      running = undefined;
      // a change whose quiet moment ended while the last rebuild was finishing: rebuild for it now
      if (pending) runRebuilds();
      else {
        // the watcher folds a second save of a file within ~50 ms of the first into the first (chokidar's
        // throttle): once that window has passed, a file that differs from what the rebuild read counts as changed
        clearTimeout(settle);
        settle = setTimeout(async () => {
          if (running || pending || !built) return;
          const now = await signatures();
          for (const part of ["config", "templates", "data"] as const) if (now[part] !== built[part]) changed(part);
        }, SETTLE_MS);
      }
    });
  };
  let built: Awaited<ReturnType<typeof signatures>> | undefined;
  let settle: NodeJS.Timeout | undefined;
  const templatesDir = resolve(await templatesDirFor(req.configPath, fx));
  const configFile = resolve(req.configPath);
  const dataDir = resolve(config.data.dir); // as the build reads it: relative to the working folder
  let quiet: NodeJS.Timeout | undefined;
  const onChange = (path: string) => {
    const p = resolve(path);
    changed(p.startsWith(templatesDir) ? "templates" : p === configFile ? "config" : "data");
  };
  const changed = (cause: Rebuild["cause"]) => {
    held.forget(cause);
    if (!pending) changedAt = performance.now(); // the time of the first change a rebuild answers
    // a data or config change outranks a template change folded into the same rebuild
    pending = pending && pending !== "templates" ? pending : cause;
    // an editor's save can arrive as several events (truncate, write, rename): wait for a short quiet moment
    clearTimeout(quiet);
    quiet = setTimeout(runRebuilds, QUIET_MS);
  };
  /** what each part's files are now: config.yml and the templates by content, the data by size and time */
  const signatures = async () => ({
    config: await fileSignature(configFile, true),
    templates: await treeSignature(templatesDir, true),
    data: await treeSignature(dataDir, false),
  });
  const watcher = watch([templatesDir, configFile, dataDir], { ignoreInitial: true });
  watcher.on("all", (_event, path) => onChange(path));
  await new Promise<void>((r) => watcher.once("ready", () => r()));
  return {
    nextRebuild: () => new Promise<Rebuild>((r) => waiting.push(r)),
    close: async () => {
      clearTimeout(quiet);
      clearTimeout(settle);
      await watcher.close();
    },
  };
}

/** What the server serves: the editions of each target, by path; a path that names none answers 404. */
function resolverOf(req: ServeRequest, config: Config, held: Held, fx: Effects) {
  const region = config.geography.region;
  const pdfOf = async (t: Target, lang: Lang): Promise<Uint8Array> => {
    const built = await render(
      {
        configPath: req.configPath,
        editions: [{ year: t.year, area: t.area, lang }],
        formats: ["html", "pdf"],
        preview: t.cache,
      },
      fx,
    );
    const pdf = built.areas[0]?.editions[0]?.pdf;
    if (!pdf) throw new Error("the browser printed nothing");
    return pdf;
  };
  const page = (type: string, body: () => Promise<Uint8Array | string> | Uint8Array | string): Resource => ({
    type,
    body: async () => body(),
  });
  const built = () => [...held.targets.values()].filter((t) => t.built);
  /** The preview's list of editions, answering 404 for a path that names none. */
  const notFound = (path: string): Resource => ({
    ...page(typeOf(".html"), () => indexPage(built(), config.languages, path)),
    status: 404,
  });
  /** A year the preview can build: one with its own settings in config.yml or its flow table in data/. */
  const knownYear = async (y: number) => config.editions[String(y)] !== undefined || fx.exists(flowFile(config, y));
  return async (path: string): Promise<Resource | undefined> => {
    if (path === "/") return page(typeOf(".html"), () => indexPage(built(), config.languages));
    const m = /^\/(\d{4})\/(?:(?:areas|municipalities)\/(\d{5})\/)?(?:(nl|en)\/(.*)|(indicators\.json))$/.exec(path);
    const lang = m?.[3] as Lang | undefined;
    if (!m || (lang && !config.languages.includes(lang)) || !(await knownYear(Number(m[1])))) return notFound(path);
    const t = held.targetOf(Number(m[1]), m[2] ?? region);
    if (!t.built && !t.problems) await held.rebuild(t);
    held.evict(t);
    if (!t.built && t.rules?.some((r) => r === "unknown-area" || r === "empty-area")) {
      held.targets.delete(`${t.year}|${t.area}`);
      return notFound(path);
    }
    if (!t.built) return page(typeOf(".html"), () => livePage("<!doctype html><html><body></body></html>", t.problems));
    if (m[5]) return page(typeOf(".json"), () => `${JSON.stringify(t.built!.indicators, null, 2)}\n`);
    const e = t.built.editions.find((x) => x.key.lang === lang);
    if (!e) return notFound(path);
    const rest = m[4] ?? "";
    if (rest === "" || rest === "bulletin.html") return page(typeOf(".html"), () => livePage(e.html, t.problems));
    if (rest === "bulletin.pdf") return page(typeOf(".pdf"), () => pdfOf(t, e.key.lang));
    if (rest === "facts.json") return page(typeOf(".json"), () => `${JSON.stringify(e.narrative.facts, null, 2)}\n`);
    const c = /^charts\/([a-z-]+)\.(svg|png|csv|vl\.json)$/.exec(rest);
    const chart = c && e.charts.find((x) => x.id === c[1]);
    if (!c || !chart) return notFound(path);
    const ext = c[2]!;
    const body = {
      svg: () => chart.svg,
      png: () => chart.png(),
      csv: () => chart.csv,
      "vl.json": () => chart.specJson,
    }[ext]!;
    return page(typeOf(`.${ext === "vl.json" ? "json" : ext}`), body);
  };
}

/** `bulletin serve` as the command line runs it: the preview until Ctrl+C, opened in the browser when asked. */
export async function runServe(
  o: { config: string; year?: number; area?: string; port: number; host: string; open?: boolean; memory: number },
  fx: Effects,
) {
  if (o.area !== undefined && !/^\d{5}$/.test(o.area))
    throw new UsageError(`\`${o.area}\` is not a NIS code: --area takes 5 digits, e.g. 10000`);
  const preview = await serve({ configPath: o.config, ...o, memoryMb: o.memory }, fx);
  process.stderr.write(`preview at ${preview.url} (Ctrl+C to stop)\n`);
  if (o.open) await (await import("open")).default(preview.url).catch(() => {});
  await untilStopped();
  await preview.close();
}

/** A file's content hash (or size and modification time), or "" when it cannot be read. */
async function fileSignature(path: string, byContent: boolean): Promise<string> {
  try {
    if (byContent)
      return createHash("sha1")
        .update(await readFile(path))
        .digest("hex");
    const s = await stat(path);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return "";
  }
}

/** The signatures of every file under a folder, in one string. */
async function treeSignature(dir: string, byContent: boolean): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
  return (await Promise.all(files.map(async (f) => `${f}=${await fileSignature(f, byContent)}`))).join("\n");
}
