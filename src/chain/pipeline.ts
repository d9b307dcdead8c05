/**
 * The one place that chains the stages of the bulletin. An edition is a value: (year, area, language). `build`
 * takes a list of editions; indicators are computed once per (year, area) and shared by its languages; one browser
 * (fx.printer) and one set of templates serve the whole list.
 *
 *  1 config.yml ─ loadConfig ─► Config ─ planEditions ─► year → area → languages
 *    per year:
 *  2   data/… ─ readDatasets ─► Datasets
 *  3   Datasets ─ validateDatasets ─► Problem[]               (stop on errors, all listed; nothing is written)
 *  4   the round's suppression pattern (chain/round.ts: every edition of the year, read with the rounds before it;
 *      computed once and kept under the hash of its inputs) ─► output/<year>/disclosure.json
 *      per area:
 *  4     Datasets ─ resolveArea, computeIndicators, applyPattern ─► Indicators   (language-neutral; indicators.json)
 *  5     Indicators ─ narrateEditions ─► text + facts per language (the languages state the same facts)
 *        per language:
 *  6       Indicators ─ buildChartSpecs ─► Vega-Lite ─ renderCharts ─► SVG / PNG / CSV (+ XLSX, on a worker)
 *  7       ─ assembleHtml ─► bulletin.html
 *  8       ─ fx.printer().print ─► bulletin.pdf           (as soon as its HTML is ready, while the next renders)
 *  9 editionFiles ─ publishFolder (atomic, one folder per (year, area)) ─► output/<year>/…
 *
 * `render` runs steps 1–8 and returns what it made (indicators, narratives, specs, HTML, PDF bytes) before anything
 * is written; the commands add what they do with it: `build` step 9 and `check` only 1–5 (commands/build.ts), the batch, the
 * preview, the mailing and the boundary import (commands/). Files, clock, log, browser, SMTP and ledger come in through `Effects`.
 */
import { buildChartSpecs } from "../charts/build-chart-specs.ts";
import { renderCharts } from "../charts/render-charts.ts";
import { workbooks } from "../charts/xlsx.ts";
import { syntheticNoticeKey } from "../config/edition.ts";
import { planEditions } from "../config/editions.ts";
import { loadConfig } from "../config/read-config.ts";
import type { Config } from "../config/schema.ts";
import type { Lang, SectionId } from "../core/domain.ts";
import { type Marks, marker, type Timings, timed } from "../core/timing.ts";
import type { Effects, Printer } from "../effects.ts";
import { InputError, type Problem } from "../errors/problem.ts";
import { boundaryReader } from "../geo/read-boundaries.ts";
import { assembleHtml, figureSource } from "../html/assemble-html.ts";
import type { TemplateSet } from "../narrative/read-templates.ts";
import { summarize } from "../narrative/summary.ts";
import type { Narrative } from "../narrative/write-narrative.ts";
import { printOptionsFor } from "../pdf/print-options.ts";
import { editionFiles } from "../publish/edition-files.ts";
import { editionFolder } from "../publish/publish.ts";
import { loadCompiledCode, saveCompiledCode } from "./compiled-cache.ts";
import { narrate, type Prepared, planKeyOf, prepareYear, type RenderCache, templatesFor } from "./prepare.ts";
import type { RoundPattern } from "./round.ts";
import type { BuildRequest, Built, BuiltArea, BuiltEdition } from "./types.ts";

export type { BuildRequest, Built, BuiltArea, BuiltEdition, Format } from "./types.ts";

/**
 * Steps 1–8: every edition of the request, rendered in memory. Bad input throws an InputError listing every
 * problem before anything is rendered. When PDFs are wanted the browser is asked for first, so it starts while the
 * data load (the CLI asks even earlier, before this module is loaded).
 */
export async function render(req: BuildRequest, fx: Effects): Promise<Built> {
  const marks: Marks = {};
  const mark = marker(marks);
  const t0 = performance.now();
  mark("start");
  const formats = req.formats ?? ["html", "pdf"];
  const printer = formats.includes("pdf") ? fx.printer() : undefined;
  // an early failure must not become an unhandled rejection; it is rethrown once the data are read (a browser that
  // cannot start, e.g. not installed, stops the build before any chart is drawn) or where the printer is used
  let printerFailed: { error: unknown } | undefined;
  printer
    ?.then(() => mark("browser"))
    .catch((error) => {
      printerFailed = { error };
    });
  const out = { problems: [] as Problem[], timings: {} as Timings, rounds: new Map<number, RoundPattern>() };
  const { timings } = out;
  const cache = req.preview ?? req.cache;
  const config = cache?.config ?? (await timed(timings, "load", () => loadConfig(req.configPath, fx))); // 1
  const plan = planEditions(config, req);
  const preview = req.preview !== undefined;
  const planKey = planKeyOf(plan);
  const cached = cache?.prepared.get(planKey);
  const prepared: Prepared[] = cached?.prepared ?? [];
  if (cached) out.problems.push(...cached.problems);
  else
    for (const [year, areas] of plan) prepared.push(...(await prepareYear(config, req, year, areas, fx, out, cache))); // 2–4
  if (cache && !cached) cache.prepared.set(planKey, { prepared, problems: [...out.problems] });
  mark("prepared");
  const errors = out.problems.filter((p) => p.severity === "error").length;
  if (errors) throw new InputError(`the data has ${errors} problem(s); nothing was written`, out.problems);
  if (printerFailed) throw printerFailed.error;
  const templates = cache?.templates ?? (await timed(timings, "load", () => templatesFor(req, plan, fx)));
  // the figures' dataflows kept by earlier runs, for a build that draws from them (renderEdition: not a batch)
  if (!cache) await timed(timings, "load", () => loadCompiledCode(fx, ["figures"]));
  if (cache) cache.templates = templates;
  const boundariesOf = cache?.boundaries ?? boundaryReader(config.data.dir, fx);
  const built: BuiltArea[] = [];
  const printing: Promise<void>[] = [];
  const sheets = new Map<BuiltEdition, () => Uint8Array[]>();
  const run: Run = {
    req,
    config,
    templates,
    timings,
    mark,
    printer,
    cache,
    preview,
    sheets,
    printing,
    pdfStart: 0,
  };
  try {
    for (const p of prepared) {
      const boundaries = await timed(timings, "load", () => boundariesOf(p));
      const narratives = await timed(timings, "narrative", () =>
        narrate(p, templates, req.configPath, Boolean(boundaries)),
      ); // 5
      mark("narrative");
      // the marks of a single year's own edition keep their short names (the benchmark reads them)
      const short = p.area.nis === config.geography.region && plan.size === 1;
      const tag = (s: string, lang: Lang) => (short ? `${s}.${lang}` : `${s}.${p.year}.${p.area.nis}.${lang}`);
      const editions: BuiltEdition[] = [];
      const png = pngWanted(config, p.area.level);
      for (const lang of p.langs)
        editions.push(await renderEdition(run, p, lang, narratives[lang], { boundaries, png, tag }));
      const target = editionFolder(
        { outDir: req.outDir ?? config.output.dir, region: config.geography.region },
        p.year,
        p.area.nis,
        p.area.level,
      );
      built.push({ year: p.year, area: p.area.nis, sections: p.sections, indicators: p.indicators, editions, target });
    }
    // every edition has gone to the printer: its PDFs are now what the build waits for, so the browser may use every
    // CPU (pdf/chromium.ts, unpinChromium); not in a batch (its render thread keeps the other CPU busy) or the preview
    if (!cache) printer?.then((p) => p.unpin?.()).catch(() => {});
    // the PNGs and the workbooks, once every edition has gone to the printer: a PNG is drawn on this thread (~20 ms
    // a figure, 0.26 s of a build's 14) and encoded on libuv's; drawn as each chart was made, they delayed each
    // edition's HTML, and so its PDF, by that much. One at a time: each then reuses the memory of the one before
    // (core/png.ts), and Chromium, printing meanwhile, gets the CPU between them (A/B of 10 cold builds: 0.94 of the
    // wall time of all seven of an edition drawn at once)
    await timed(timings, "png", async () => {
      if (preview) return; // the preview makes a PNG when it is asked for
      for (const b of built)
        if (pngWanted(config, b.indicators.meta.areaLevel))
          for (const e of b.editions) for (const c of e.charts) e.pngs.push(await c.png());
      for (const [e, write] of sheets) e.xlsx = write();
    });
    mark("png");
    await Promise.all(printing);
    if (printing.length) timings.pdf = performance.now() - run.pdfStart;
  } finally {
    await Promise.allSettled(printing);
  }
  await saveCompiledCode(fx); // what this run compiled, for the next one
  timings.render = performance.now() - t0;
  return { config, areas: built, problems: out.problems, timings, marks, rounds: out.rounds };
}

/** What the editions of one render share: the request, the templates, the stage timings, the browser, the queues of
 * prints and workbooks. */
interface Run {
  req: BuildRequest;
  config: Config;
  templates: TemplateSet;
  timings: Timings;
  mark: (name: string) => void;
  printer: Promise<Printer> | undefined;
  cache: RenderCache | undefined;
  preview: boolean;
  sheets: Map<BuiltEdition, () => Uint8Array[]>;
  printing: Promise<void>[];
  /** when the first PDF was asked for */
  pdfStart: number;
}

/** Steps 6–8 of one edition (an area in one language): its charts, its HTML, and its PDF handed to the browser. */
async function renderEdition(
  run: Run,
  p: Prepared,
  lang: Lang,
  narrative: Narrative,
  o: { boundaries: unknown; png: boolean; tag: (s: string, lang: Lang) => string },
): Promise<BuiltEdition> {
  const { req, config, templates, timings, mark, printer, cache, preview, sheets, printing } = run;
  const { boundaries, png, tag } = o;
  const locale = templates.locales[lang]!;
  // 6: the charts (their views kept for the PNGs, drawn once every edition has gone to the printer)
  const { specs, charts } = await timed(timings, "charts", async () => {
    const descriptions = Object.fromEntries(p.sections.map((id) => [id, narrative.sections[id]!.altText]));
    const specs = buildChartSpecs({ indicators: p.indicators, locale, boundaries, descriptions }, p.sections);
    // the figures' dataflows kept between runs (charts/vega-specs.ts) for a build, not for a batch or the preview
    const charts = await renderCharts(specs, lang, cache?.charts, {
      keepViews: !preview && png,
      keptDataflows: !cache,
    });
    return { specs, charts };
  });
  mark(tag("charts", lang));
  const blank = new Set(specs.filter((c) => nothingToDraw(c.spec)).map((c) => c.id));
  // 7: the HTML, and the copy Chromium prints without what print hides (A/B: Chromium 0.5 s less CPU)
  const htmlFor = (medium: "screen" | "print") =>
    assembleHtml({
      ...{ config, edition: p.edition, indicators: p.indicators, locale, narrative, sectionIds: p.sections },
      ...{ layout: templates.layout, css: templates.css, fontFaces: templates.fontFaces, medium },
      // a figure with nothing to draw (every value hidden by disclosure control) is left out and says why
      charts: Object.fromEntries(charts.map((c) => [c.id, { svg: blank.has(c.id) ? "" : c.svg, table: c.table }])),
      figureNotes: {
        municipalities: boundaries ? { credit: locale.t("boundaries_credit") } : { notice: locale.t("map_fallback") },
        ...Object.fromEntries([...blank].map((id) => [id, { notice: locale.t("figure_all_hidden") }])),
      },
    });
  const forPrint = printer ? await timed(timings, "html", () => htmlFor("print")) : undefined;
  const html = await timed(timings, "html", () => htmlFor("screen"));
  mark(tag("html", lang));
  // the area as its heading names it ("Arrondissement of Leuven", "Herstappe")
  const named = locale.t(`area_${p.area.level}`, { name: p.area.label[lang] });
  const areaName = named.charAt(0).toLocaleUpperCase(locale.intl) + named.slice(1);
  const other = p.area.nis !== config.geography.region;
  const summary = summarize(narrative, locale, config.title[lang], p.edition.published, other ? areaName : undefined);
  const e: BuiltEdition = {
    key: { year: p.year, area: p.area.nis, lang },
    narrative,
    summary,
    specs,
    charts,
    pngs: [],
    html,
    xlsx: [],
  };
  // the workbooks (title, source and notes as under the figure) are written once every edition has gone to
  // the printer, while Chromium prints: started here they delayed the next edition's charts and its PDF
  const notes = [...(p.indicators.meta.synthetic ? [locale.t(syntheticNoticeKey(config, p.year))] : [])];
  if (!preview)
    sheets.set(e, () =>
      workbooks(specs, {
        title: (id) =>
          `${locale.t("figure")} ${p.sections.indexOf(id as SectionId) + 1}. ${narrative.sections[id]!.captionText}`,
        source: (id) => `${locale.t("source")}: ${figureSource(id, locale)}.`,
        notes: (id) => (id === "municipalities" && !boundaries ? [...notes, locale.t("map_fallback")] : notes),
      }),
    );
  // 8: handed to the browser at once: it prints this edition while this thread renders the next
  if (printer && forPrint) {
    run.pdfStart ||= performance.now();
    const options = printOptionsFor({
      ...{ config, lang, year: p.year, locale },
      areaName,
      headline: narrative.sections[p.sections[0]!]!.headlineText,
      otherArea: p.area.nis !== config.geography.region,
      ...{ published: p.edition.published, sourceDateEpoch: req.sourceDateEpoch },
    });
    const job = printer.then(async (pr) => {
      e.pdf = await pr.print(forPrint, options);
      mark(tag("pdf", lang));
    });
    job.catch(() => {}); // awaited below; a failure must not become an unhandled rejection meanwhile
    printing.push(job);
  }
  return e;
}

/** The figures as PNG too: a municipal edition only when config.yml asks (output.municipalPng). */
const pngWanted = (config: Config, level: string) => level !== "municipality" || config.output.municipalPng;

/** The files an area publishes (step 9's input): indicators.json and each language's edition. */
export const filesOf = (b: BuiltArea, html: boolean) =>
  editionFiles(
    b.indicators,
    b.editions.map((e) => ({
      ...{ lang: e.key.lang, facts: e.narrative.facts, summary: e.summary },
      ...(html ? { html: e.html } : {}),
      ...(e.pdf ? { pdf: e.pdf } : {}),
      charts: e.charts.map((c, k) => ({ ...c, png: e.pngs[k], xlsx: e.xlsx[k]! })),
    })),
  );

/** A single-view figure whose data has no value at all (a municipality's, every value hidden). */
const nothingToDraw = (spec: object) => {
  const data = (spec as { data?: { values?: unknown[] } }).data;
  return !("layer" in spec) && Array.isArray(data?.values) && data.values.length === 0;
};
