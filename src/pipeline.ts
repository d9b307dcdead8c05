/**
 * The one place that chains the stages. An edition is a value: (year, area, language). `build` takes a list of
 * editions; indicators are computed once per (year, area) and shared by its languages; one browser (fx.printer)
 * and one set of templates serve the whole list.
 *
 *  1 config.yml ─ loadConfig ─► Config ─► the list of editions, grouped by year and area
 *    per year:
 *  2   data/… ─ readDatasets ─► Datasets
 *  3   Datasets ─ validateDatasets ─► Problem[]                (stop on errors, all listed; nothing is written)
 *      per area:
 *  4     Datasets ─ resolveArea, computeIndicators ─► Indicators   (language-neutral; indicators.json)
 *  5     Indicators ─ writeNarrative ─► text + facts per language ─ compareFacts (the languages state the same)
 *        per language:
 *  6       Indicators ─ buildChartSpecs ─► Vega-Lite ─ renderCharts ─► SVG / PNG / CSV
 *  7       ─ assembleHtml ─► bulletin.html
 *  8       ─ fx.printer().print ─► bulletin.pdf          (as soon as its HTML is ready, while the next renders)
 *  9 editionFiles ─ publishFolder (atomic, one folder per (year, area)) ─► output/<year>/…
 *
 * `render` runs steps 1–8 and returns what it made (indicators, narratives, specs, HTML, PDF bytes) before anything
 * is written; `build` adds step 9. `check` runs 1–5. `send` and `importGeo` chain their own stages below.
 * Stages are pure up to the HTML; files, clock, log, browser, SMTP and ledger come in through `Effects`.
 */
import { join } from "node:path";
import { buildChartSpecs, type ChartSpec } from "./charts/build-chart-specs.ts";
import { type RenderedChart, renderCharts } from "./charts/render-charts.ts";
import { editionOf } from "./config/edition.ts";
import { loadConfig } from "./config/read-config.ts";
import type { Config, Edition } from "./config/schema.ts";
import type { EditionKey, Lang, SectionId } from "./core/domain.ts";
import { fontFaceCss } from "./core/fonts.ts";
import { flowYearsFor, readDatasets, readOneTable } from "./data/read-datasets.ts";
import type { Effects, Printer } from "./effects.ts";
import { loadEditionAssets } from "./email/assets.ts";
import { composeMessage } from "./email/compose.ts";
import { memoryLedger } from "./email/ledger.ts";
import { type SendResult, sendEditions } from "./email/send-editions.ts";
import { readSubscribers } from "./email/subscribers.ts";
import { InputError, type Problem } from "./errors/problem.ts";
import { type BoundaryMatch, matchBoundaries } from "./geo/match.ts";
import { readBoundaries } from "./geo/read-boundaries.ts";
import { assembleHtml } from "./html/assemble-html.ts";
import { type Area, isProblem, resolveArea, sectionsFor } from "./indicators/area.ts";
import { computeIndicators } from "./indicators/compute-indicators.ts";
import type { Indicators } from "./indicators/types.ts";
import { compareFacts } from "./narrative/compare-facts.ts";
import { readTemplates, type TemplateSet, templatesDirFor } from "./narrative/read-templates.ts";
import { type EditionSummary, summarize } from "./narrative/summary.ts";
import { type Narrative, NarrativeError, writeNarrative } from "./narrative/write-narrative.ts";
import { printOptionsFor } from "./pdf/print-options.ts";
import { editionFiles } from "./publish/edition-files.ts";
import { publishFolder, writeAtomic } from "./publish/publish.ts";
import { validateDatasets } from "./validate/validate-datasets.ts";

export type Format = "html" | "pdf";
export type Timings = Record<string, number>;
/** When things happened, in ms since the process started (performance.now()): shows the critical path. */
export type Marks = Record<string, number>;

export interface BuildRequest {
  configPath: string;
  /** the editions; without it: `year` (default: config) × `areas` (default: geography.region) × `langs` */
  editions?: EditionKey[];
  year?: number;
  areas?: string[];
  langs?: Lang[];
  /** what to write (default: html and pdf) */
  formats?: Format[];
  outDir?: string;
  templatesDir?: string;
}
export interface BuiltEdition {
  key: EditionKey;
  narrative: Narrative;
  summary: EditionSummary;
  specs: ChartSpec[];
  charts: RenderedChart[];
  pngs: Uint8Array[];
  html: string;
  pdf?: Uint8Array;
}
export interface BuiltArea {
  year: number;
  area: string;
  sections: readonly SectionId[];
  indicators: Indicators;
  editions: BuiltEdition[];
  /** the folder it is published in */
  target: string;
}
export interface Built {
  config: Config;
  areas: BuiltArea[];
  problems: Problem[];
  timings: Timings;
  marks: Marks;
}

// ── step 1: the list of editions ────────────────────────────────────────────────────────────────────────────────

/** The editions of a request, grouped by year and area (in the order given). */
export function planEditions(config: Config, req: BuildRequest): Map<number, Map<string, Lang[]>> {
  const list =
    req.editions ??
    (req.areas ?? [config.geography.region]).flatMap((area) =>
      (req.langs ?? config.languages).map((lang) => ({ year: req.year ?? config.year, area, lang })),
    );
  const plan = new Map<number, Map<string, Lang[]>>();
  for (const e of list) {
    const byArea = plan.get(e.year) ?? new Map<string, Lang[]>();
    plan.set(e.year, byArea);
    const langs = byArea.get(e.area) ?? [];
    if (!langs.includes(e.lang)) langs.push(e.lang);
    byArea.set(e.area, langs);
  }
  return plan;
}

/** The folder of an area's edition: the bulletin's own area at `<out>/<year>`, any other in `<out>/<year>/areas/<nis>`. */
export function targetOf(config: Config, outDir: string | undefined, year: number, area: string): string {
  const base = join(outDir ?? config.output.dir, String(year));
  return area === config.geography.region ? base : join(base, "areas", area);
}
/** What a rebuild of `<out>/<year>` keeps: the mailing's ledger and outbox, the editions of other areas. */
const KEEP = ["send-ledger.jsonl", "outbox", "areas"];

// ── steps 2–5, shared by check and build ───────────────────────────────────────────────────────────────────────

interface YearData {
  year: number;
  areas: { area: Area; langs: Lang[]; sections: readonly SectionId[]; edition: Edition; indicators: Indicators }[];
}

async function timed<T>(timings: Timings, name: string, f: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    timings[name] = (timings[name] ?? 0) + performance.now() - t0;
  }
}

/** Steps 2–4 for one year: its tables, their problems, and the indicators of each area (when the data pass). */
async function prepareYear(
  config: Config,
  req: BuildRequest,
  year: number,
  areas: Map<string, Lang[]>,
  fx: Effects,
  problems: Problem[],
  timings: Timings,
): Promise<YearData | undefined> {
  const read = await timed(timings, "load", () => readDatasets(config, year, fx)); // 2
  const ds = read.datasets;
  const found = await timed(timings, "validate", () => [
    ...read.problems,
    ...validateDatasets(ds, {
      year,
      region: config.geography.region,
      periodYears: flowYearsFor(config, year).required,
    }),
  ]); // 3
  const resolved = [...areas].map(([nis, langs]) => ({ r: resolveArea(ds, nis), langs }));
  for (const { r } of resolved) if (isProblem(r)) found.push(r);
  problems.push(...found);
  if (found.some((p) => p.severity === "error")) return undefined;
  const today = fx.now().toISOString().slice(0, 10);
  const dated = editionOf(config, year, { configPath: req.configPath, today });
  if (dated.problem) problems.push(dated.problem);
  const out: YearData = { year, areas: [] };
  for (const { r, langs } of resolved) {
    const area = r as Area;
    const indicators = await timed(timings, "indicators", () =>
      computeIndicators(ds, {
        year,
        area,
        periodYears: config.municipalPeriod.years,
        synthetic: config.synthetic,
      }),
    ); // 4
    // editorial notes are written for the bulletin's own edition; other areas' editions carry none
    const edition =
      area.nis === config.geography.region ? dated.edition : { ...dated.edition, notes: { nl: {}, en: {} } };
    out.areas.push({ area, langs, sections: sectionsFor(area.level), edition, indicators });
  }
  return out;
}

/** Step 5: the narrative of every language of an area; the editions must state the same facts. */
function narrate(a: YearData["areas"][number], templates: TemplateSet, configPath: string): Record<Lang, Narrative> {
  const narratives = {} as Record<Lang, Narrative>;
  for (const lang of a.langs) {
    try {
      narratives[lang] = writeNarrative({
        indicators: a.indicators,
        locale: templates.locales[lang]!,
        templates: templates.narrative[lang]!,
        notes: a.edition.notes[lang],
        notesFile: configPath,
        sectionIds: a.sections,
      });
    } catch (e) {
      if (!(e instanceof NarrativeError)) throw e;
      const w = e.where;
      throw new InputError(e.message, [
        {
          file: w.file ?? "templates",
          ...(w.line ? { line: w.line } : {}),
          ...(w.column ? { column: w.column } : {}),
          rule: "template",
          message: w.detail ?? e.message,
          ...(w.excerpt !== undefined ? { excerpt: w.excerpt } : {}),
          ...(w.hint ? { hint: w.hint } : {}),
          severity: "error",
        },
      ]);
    }
  }
  compareFacts(narratives);
  return narratives;
}

async function templatesFor(req: BuildRequest, langs: Lang[], fx: Effects): Promise<TemplateSet> {
  const dir = req.templatesDir ?? (await templatesDirFor(req.configPath, fx));
  return readTemplates(dir, langs, fx);
}
const allLangs = (plan: Map<number, Map<string, Lang[]>>) => [
  ...new Set([...plan.values()].flatMap((m) => [...m.values()].flat())),
];

/**
 * `bulletin check`: the config, the data of every year asked for, then, when they pass, the templates, labels and
 * editorial notes (the narrative of every language is written and compared), without rendering or writing anything.
 */
export async function check(req: BuildRequest, fx: Effects): Promise<{ problems: Problem[]; years: number[] }> {
  const config = await loadConfig(req.configPath, fx); // 1
  const plan = planEditions(config, req);
  const problems: Problem[] = [];
  const timings: Timings = {};
  for (const [year, areas] of plan) {
    const data = await prepareYear(config, req, year, areas, fx, problems, timings); // 2–4
    if (!data) continue;
    try {
      const templates = await templatesFor(req, allLangs(plan), fx);
      for (const a of data.areas) narrate(a, templates, req.configPath); // 5
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems.push(...e.problems);
    }
  }
  return { problems, years: [...plan.keys()] };
}

// ── the build ──────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Steps 1–8: every edition of the request, rendered in memory. Bad input throws an InputError listing every
 * problem, before anything is rendered. When PDFs are wanted the browser is asked for first, so it starts while
 * the data load (the CLI asks even earlier, before this module is loaded).
 */
export async function render(req: BuildRequest, fx: Effects): Promise<Built> {
  const marks: Marks = {};
  const mark = (name: string) => {
    marks[name] = Math.round(performance.now());
  };
  mark("start");
  const formats = req.formats ?? ["html", "pdf"];
  const printer = formats.includes("pdf") ? fx.printer() : undefined;
  // an early failure must not become an unhandled rejection; it is rethrown where the printer is used
  printer?.then(() => mark("browser")).catch(() => {});
  const timings: Timings = {};
  const t0 = performance.now();
  const config = await timed(timings, "load", () => loadConfig(req.configPath, fx)); // 1
  const plan = planEditions(config, req);
  const problems: Problem[] = [];
  const years: YearData[] = [];
  for (const [year, areas] of plan) {
    const data = await prepareYear(config, req, year, areas, fx, problems, timings); // 2–4
    if (data) years.push(data);
  }
  mark("prepared");
  const errors = problems.filter((p) => p.severity === "error");
  if (errors.length) throw new InputError(`the data has ${errors.length} problem(s); nothing was written`, problems);
  const templates = await timed(timings, "load", () => templatesFor(req, allLangs(plan), fx));
  const boundaries = await timed(timings, "load", () =>
    readBoundaries(join(config.data.dir, config.data.boundaries), fx),
  );
  const fontFace = fontFaceCss(templates.fontFiles.filter((f) => f.weight === 400 && f.style === "normal"));
  const built: BuiltArea[] = [];
  const printing: Promise<void>[] = [];
  let pdfStart = 0;
  try {
    for (const { year, areas } of years)
      for (const a of areas) {
        const narratives = await timed(timings, "narrative", () => narrate(a, templates, req.configPath)); // 5
        mark("narrative");
        // marks of the bulletin's own area keep their short names (the benchmark reads them)
        const tag = (s: string, lang: Lang) =>
          a.area.nis === config.geography.region && years.length === 1
            ? `${s}.${lang}`
            : `${s}.${year}.${a.area.nis}.${lang}`;
        const editions: BuiltEdition[] = [];
        for (const lang of a.langs) {
          const locale = templates.locales[lang]!;
          const narrative = narratives[lang];
          // 6: charts; their PNGs are encoded on libuv's threads from now on, on the core this thread leaves free
          const { specs, charts } = await timed(timings, "charts", async () => {
            const descriptions = Object.fromEntries(a.sections.map((id) => [id, narrative.sections[id]!.altText]));
            const specs = buildChartSpecs({ indicators: a.indicators, locale, boundaries, descriptions }, a.sections);
            const charts = await renderCharts(specs, lang);
            for (const c of charts) c.png().catch(() => {}); // awaited (and failures reported) below
            return { specs, charts };
          });
          mark(tag("charts", lang));
          // 7: the HTML, and the copy Chromium prints without what the print stylesheet hides (A/B, 6 cold builds:
          // Chromium used 0.5 s less CPU)
          const htmlFor = (medium: "screen" | "print") =>
            assembleHtml({
              config,
              edition: a.edition,
              indicators: a.indicators,
              locale,
              narrative,
              sectionIds: a.sections,
              layout: templates.layout,
              css: templates.css,
              fontFaces: templates.fontFaces,
              charts: Object.fromEntries(charts.map((c) => [c.id, { svg: c.svg, table: c.table }])),
              figureNotes: {
                municipalities: boundaries
                  ? { credit: locale.t("boundaries_credit") }
                  : { notice: locale.t("map_fallback") },
              },
              medium,
            });
          const forPrint = printer ? await timed(timings, "html", () => htmlFor("print")) : undefined;
          const html = await timed(timings, "html", () => htmlFor("screen"));
          mark(tag("html", lang));
          const e: BuiltEdition = {
            key: { year, area: a.area.nis, lang },
            narrative,
            summary: summarize(narrative, locale, config.title[lang], a.edition.published),
            specs,
            charts,
            pngs: [],
            html,
          };
          editions.push(e);
          // 8: handed to the browser at once: it prints this edition while this thread renders the next
          if (printer && forPrint) {
            pdfStart ||= performance.now();
            const options = printOptionsFor({
              config,
              lang,
              year,
              locale,
              areaName: locale.t(`area_${a.area.level}`, { name: a.area.label[lang] }),
              headline: narrative.sections[a.sections[0]!]!.headlineText,
              fontFace,
            });
            const p = printer.then(async (pr: Printer) => {
              e.pdf = await pr.print(forPrint, options);
              mark(tag("pdf", lang));
            });
            p.catch(() => {}); // awaited below; a failure must not become an unhandled rejection meanwhile
            printing.push(p);
          }
        }
        built.push({
          year,
          area: a.area.nis,
          sections: a.sections,
          indicators: a.indicators,
          editions,
          target: targetOf(config, req.outDir, year, a.area.nis),
        });
      }
    // the PNGs, encoded since their chart was drawn
    await timed(timings, "png", async () => {
      for (const b of built) for (const e of b.editions) for (const c of e.charts) e.pngs.push(await c.png());
    });
    mark("png");
    await Promise.all(printing);
    if (printing.length) timings.pdf = performance.now() - pdfStart;
  } finally {
    await Promise.allSettled(printing);
  }
  timings.render = performance.now() - t0;
  return { config, areas: built, problems, timings, marks };
}

/** The whole build: render every edition (steps 1–8), then publish each area's folder atomically (step 9). */
export async function build(req: BuildRequest, fx: Effects): Promise<Built> {
  const t0 = performance.now();
  const built = await render(req, fx);
  const formats = req.formats ?? ["html", "pdf"];
  await timed(built.timings, "write", async () => {
    for (const b of built.areas) {
      const files = editionFiles(
        b.indicators,
        b.editions.map((e) => ({
          lang: e.key.lang,
          ...(formats.includes("html") ? { html: e.html } : {}),
          ...(e.pdf ? { pdf: e.pdf } : {}),
          facts: e.narrative.facts,
          summary: e.summary,
          charts: e.charts.map((c, k) => ({ ...c, png: e.pngs[k]! })),
        })),
      );
      await publishFolder(fx, b.target, files, KEEP); // 9
    }
  });
  built.marks.published = Math.round(performance.now());
  built.timings.total = performance.now() - t0;
  return built;
}

// ── send ───────────────────────────────────────────────────────────────────────────────────────────────────────

export interface SendRequest {
  configPath: string;
  year?: number;
  outDir?: string;
  langs?: Lang[];
  dryRun?: boolean;
  /** a test send to this address: one message per language, not recorded in the ledger */
  to?: string;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * `bulletin send`: 1 config ─ 2 subscribers (checked before anything is sent) ─ 3 the built editions ─ 4 one
 * message per subscriber ─ 5 the outbox (dry run) or SMTP, exactly once through the ledger (email/send-editions.ts).
 */
export async function send(
  req: SendRequest,
  fx: Effects,
): Promise<SendResult & { dryRunFiles: string[]; ledger?: string }> {
  const config = await loadConfig(req.configPath, fx); // 1
  const year = req.year ?? config.year;
  const langs = req.langs ?? config.languages;
  const recipients = await readSubscribers(config, { configPath: req.configPath, langs, to: req.to }, fx); // 2
  const dir = join(req.outDir ?? config.output.dir, String(year));
  const assets = await loadEditionAssets(
    dir,
    { year, langs: [...new Set(recipients.map((r) => r.lang))], synthetic: config.synthetic },
    fx,
  ); // 3
  const messages = recipients.map((r) => composeMessage(config, assets.get(r.lang)!, r, { test: Boolean(req.to) })); // 4
  if (req.dryRun) {
    const { writeOutbox } = await import("./email/outbox.ts"); // loads nodemailer
    const files = await writeOutbox(messages, dir, fx); // 5
    fx.log(`dry run: ${files.length} message(s) written to ${join(dir, "outbox")}, nothing sent`);
    return { sent: [], skipped: [], failed: [], dryRunFiles: files };
  }
  const smtp = await fx.mailer();
  fx.log(`sending ${messages.length} message(s) through ${smtp.describe}`);
  // a test send (--to) is not part of the mailing: it is not recorded, and it does not block the real send
  const ledgerPath = join(dir, "send-ledger.jsonl");
  const ledger = req.to ? memoryLedger() : await fx.ledger(ledgerPath);
  const mail = config.mail!;
  const result = await sendEditions(messages, smtp.transport, ledger, {
    concurrency: mail.concurrency,
    retries: mail.retries,
    retryDelayMs: mail.retryDelayMs,
    now: () => fx.now(),
    log: (m) => fx.log(m),
    sleep: req.sleep,
  }); // 5
  return { ...result, dryRunFiles: [], ...(req.to ? {} : { ledger: ledgerPath }) };
}

// ── geo import ─────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * `bulletin geo import`: 1 config ─ 2 the boundary file, reprojected and simplified ─ 3 the municipality list ─
 * 4 matched against the region's municipalities ─ 5 written atomically (data/geo/municipalities.topo.json).
 */
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
