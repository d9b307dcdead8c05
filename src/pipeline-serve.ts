/**
 * `bulletin serve`, chained: the editions rendered in memory by `render` (HTML only, with the preview's caches), served
 * over HTTP (serve/server.ts), rebuilt when templates/, config.yml or data/ change, and the open pages reloaded.
 *
 *   change in templates/  → the templates and locales are read again; narrative, charts whose spec changed, HTML
 *   change in config.yml or data/ → steps 2–4 again (tables, validation, indicators), then the rest
 *   /…/bulletin.pdf       → printed on request from the current HTML by the browser the preview keeps warm
 *
 * A failed rebuild leaves the last good pages in place and shows its problems over them (the text `check` prints).
 */
import { resolve } from "node:path";
import { watch } from "chokidar";
import type { ChartCache } from "./charts/render-charts.ts";
import { loadConfig } from "./config/read-config.ts";
import type { Lang } from "./core/domain.ts";
import type { Effects } from "./effects.ts";
import { BulletinError, formatProblem } from "./errors/problem.ts";
import { templatesDirFor } from "./narrative/read-templates.ts";
import { render } from "./pipeline.ts";
import type { RenderCache } from "./pipeline-prepare.ts";
import type { BuiltArea } from "./pipeline-types.ts";
import { livePage, overlayHtml } from "./serve/live.ts";
import { type PreviewServer, type Resource, startServer, typeOf } from "./serve/server.ts";

/** How long the files must be quiet before a rebuild starts (one save often fires two or three events). */
const QUIET_MS = 15;

export interface ServeRequest {
  configPath: string;
  year?: number;
  area?: string;
  host: string;
  port: number;
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
}

export async function serve(req: ServeRequest, fx: Effects): Promise<Preview> {
  const config = await loadConfig(req.configPath, fx);
  const region = config.geography.region;
  const templatesDir = resolve(await templatesDirFor(req.configPath, fx));
  const charts: ChartCache = new Map();
  const targets = new Map<string, Target>();
  // as in output/: a municipality under municipalities/, any other area under areas/ (both paths serve either)
  const baseOf = (year: number, area: string) =>
    area === region
      ? `/${year}/`
      : `/${year}/${/^\d{2}0{3}$|^20001$/.test(area) ? "areas" : "municipalities"}/${area}/`;
  const targetOf = (year: number, area: string): Target => {
    const key = `${year}|${area}`;
    let t = targets.get(key);
    if (!t) {
      t = { year, area, base: baseOf(year, area), cache: { prepared: new Map(), charts } };
      targets.set(key, t);
    }
    return t;
  };

  const describe = (e: unknown) =>
    e instanceof BulletinError && e.problems.length
      ? e.problems.map(formatProblem).join("\n")
      : `${(e as Error).message ?? String(e)}`;
  /** Renders a target's editions; on failure keeps the last good ones and records the problems. */
  const rebuild = async (t: Target): Promise<boolean> => {
    try {
      const built = await render(
        { configPath: req.configPath, year: t.year, areas: [t.area], formats: ["html"], preview: t.cache },
        fx,
      );
      t.built = built.areas[0];
      t.problems = undefined;
      return true;
    } catch (e) {
      t.problems = describe(e);
      return false;
    }
  };

  const first = targetOf(req.year ?? config.year, req.area ?? region);
  const t0 = performance.now();
  await rebuild(first);
  fx.log(`built in ${Math.round(performance.now() - t0)} ms`);
  if (first.problems) fx.warn(`the preview could not be built:\n${first.problems}`);

  const waiting: ((r: Rebuild) => void)[] = [];
  let server: PreviewServer | undefined;
  const announce = (r: Rebuild) => {
    if (r.ok) {
      fx.log(`rebuilt (${r.cause}) in ${Math.round(r.ms)} ms`);
      server?.broadcast("reload", { cause: r.cause, ms: r.ms });
    } else {
      fx.warn(`the preview could not be rebuilt (${r.cause}):\n${r.problems}`);
      server?.broadcast("problems", { html: overlayHtml(r.problems ?? "") });
    }
    for (const w of waiting.splice(0)) w(r);
  };

  // -- rebuilds: one at a time; changes that arrive meanwhile are folded into one more
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
        let ok = true;
        for (const t of targets.values()) ok = (await rebuild(t)) && ok;
        const problems = [...targets.values()]
          .map((t) => t.problems)
          .filter(Boolean)
          .join("\n");
        announce({ cause, ms: performance.now() - start, ok, ...(ok ? {} : { problems }) });
      }
    })().finally(() => {
      running = undefined;
      // a change whose quiet moment ended while the last rebuild was finishing: rebuild for it now
      if (pending) runRebuilds();
    });
  };
  const configFile = resolve(req.configPath);
  const dataDir = resolve(config.data.dir); // as the build reads it: relative to the working folder
  let quiet: NodeJS.Timeout | undefined;
  const onChange = (path: string) => {
    const p = resolve(path);
    const cause: Rebuild["cause"] = p.startsWith(templatesDir) ? "templates" : p === configFile ? "config" : "data";
    for (const t of targets.values()) {
      if (cause === "templates") t.cache.templates = undefined;
      else {
        t.cache.prepared.clear();
        t.cache.years?.clear();
      }
    }
    if (!pending) changedAt = performance.now(); // the time of the first change a rebuild answers
    // a data or config change outranks a template change folded into the same rebuild
    pending = pending && pending !== "templates" ? pending : cause;
    // an editor's save can arrive as several events (truncate, write, rename): wait for a short quiet moment
    clearTimeout(quiet);
    quiet = setTimeout(runRebuilds, QUIET_MS);
  };
  const watcher = watch([templatesDir, configFile, dataDir], { ignoreInitial: true });
  watcher.on("all", (_event, path) => onChange(path));
  await new Promise<void>((r) => watcher.once("ready", () => r()));

  // -- what the server serves: the editions of each target, by path
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
  const resolvePath = async (path: string): Promise<Resource | undefined> => {
    if (path === "/") return page(typeOf(".html"), () => indexPage([...targets.values()], config.languages));
    const m = /^\/(\d{4})\/(?:(?:areas|municipalities)\/(\d{5})\/)?(?:(nl|en)\/(.*)|(indicators\.json))$/.exec(path);
    if (!m) return undefined;
    const t = targetOf(Number(m[1]), m[2] ?? region);
    if (!t.built && !t.problems) await rebuild(t);
    if (!t.built) return page(typeOf(".html"), () => livePage("<!doctype html><html><body></body></html>", t.problems));
    if (m[5]) return page(typeOf(".json"), () => `${JSON.stringify(t.built!.indicators, null, 2)}\n`);
    const lang = m[3] as Lang;
    const e = t.built.editions.find((x) => x.key.lang === lang);
    if (!e) return undefined;
    const rest = m[4] ?? "";
    if (rest === "" || rest === "bulletin.html") return page(typeOf(".html"), () => livePage(e.html, t.problems));
    if (rest === "bulletin.pdf") return page(typeOf(".pdf"), () => pdfOf(t, lang));
    if (rest === "facts.json") return page(typeOf(".json"), () => `${JSON.stringify(e.narrative.facts, null, 2)}\n`);
    const c = /^charts\/([a-z-]+)\.(svg|png|csv|vl\.json)$/.exec(rest);
    const chart = c && e.charts.find((x) => x.id === c[1]);
    if (!c || !chart) return undefined;
    const ext = c[2]!;
    const body = {
      svg: () => chart.svg,
      png: () => chart.png(),
      csv: () => chart.csv,
      "vl.json": () => chart.specJson,
    }[ext]!;
    return page(typeOf(`.${ext === "vl.json" ? "json" : ext}`), body);
  };
  server = await startServer({
    host: req.host,
    port: req.port,
    resolve: resolvePath,
    onError: (e) => fx.warn(`the preview failed: ${(e as Error).message}`),
  });
  const url = `${server.url}${first.base.slice(1)}${config.languages[0]}/`;
  return {
    url,
    nextRebuild: () => new Promise<Rebuild>((r) => waiting.push(r)),
    close: async () => {
      clearTimeout(quiet);
      await watcher.close();
      await server?.close();
    },
  };
}

function indexPage(targets: Target[], langs: Lang[]): string {
  const items = targets
    .filter((t) => t.built)
    .map((t) => `<li>${t.year}, ${t.area}: ${langs.map((l) => `<a href="${t.base}${l}/">${l}</a>`).join(" · ")}</li>`)
    .join("");
  return livePage(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Preview</title></head><body><h1>Preview</h1><p>Editions built so far (any other: <code>/YEAR/LANG/</code>, <code>/YEAR/areas/NIS/LANG/</code>):</p><ul>${items}</ul></body></html>`,
    undefined,
  );
}
