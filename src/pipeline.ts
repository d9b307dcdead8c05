/**
 * The one place that chains the stages.
 *
 * config.yml ─ readConfig ─► Config
 * data/…     ─ readDatasets ─► Datasets ─ validateDatasets ─► Problem[]      (stop on errors, all listed)
 * Datasets   ─ computeIndicators ─► Indicators                               (language-neutral; indicators.json)
 * for each edition (nl, en):
 *   Indicators ─ writeNarrative ─► sections of text + facts (every number tied to an indicator)
 *   Indicators ─ buildChartSpecs ─► Vega-Lite specs ─ renderCharts ─► SVG / PNG / CSV
 *              ─ assembleHtml ─► bulletin.html ─ printPdf ─► bulletin.pdf   (one Chromium, started at step 1)
 * publish (atomic) ─► output/<year>/…
 *
 * 1. read the config          2. read the tables          3. validate (collect every problem)
 * 4. compute the indicators   5. narrative per language (facts compared across languages)
 * 6. charts per language      7. HTML per language        8. PDF per language (in parallel)
 * 9. write into a staging folder and publish it atomically
 *
 * Stages are pure functions of their inputs; files, clock and log come in through `Effects`.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildChartSpecs } from "./charts/build-chart-specs.ts";
import { type RenderedChart, renderCharts } from "./charts/render-charts.ts";
import { readConfig } from "./config/read-config.ts";
import type { Config } from "./config/schema.ts";
import { type Edition, EMAIL, SECTION_IDS } from "./config/schema.ts";
import { parseTable } from "./data/csv.ts";
import { type Datasets, flowYearsFor, readDatasets, readOneTable } from "./data/read-datasets.ts";
import type { Effects } from "./effects.ts";
import type { EditionAssets, Recipient } from "./email/compose.ts";
import type { Ledger, SendResult, Transport } from "./email/send-editions.ts";
import { InputError, type Problem, UsageError } from "./errors/problem.ts";
import { assembleHtml } from "./html/assemble-html.ts";
import { fontFaceCss } from "./html/fonts.ts";
import type { Locale } from "./i18n/locale.ts";
import type { Lang } from "./i18n/wording.ts";
import { computeIndicators } from "./indicators/compute-indicators.ts";
import type { Indicators } from "./indicators/types.ts";
import { readTemplates, type TemplateSet } from "./narrative/read-templates.ts";
import { type Fact, type Narrative, NarrativeError, writeNarrative } from "./narrative/write-narrative.ts";
import type { Printer } from "./pdf/print-pdf.ts";
import { discard, publish, stage } from "./publish.ts";
import { validateDatasets } from "./validate/validate-datasets.ts";

export interface RunOptions {
  configPath: string;
  year?: number;
  outDir?: string;
  /** editions to build (default: `languages` in config.yml) */
  langs?: Lang[];
  /** what to write (default: html and pdf) */
  formats?: Format[];
  templatesDir?: string;
  /** starts the PDF printer (default: Chromium through puppeteer-core); tests may pass their own */
  launchPrinter?: () => Promise<Printer>;
  /**
   * A printer that is already running and stays the caller's (not closed by the build): a series of editions in one
   * process (municipal editions, a preview server) pays Chromium's start-up once.
   */
  printer?: Printer;
}
export type Format = "html" | "pdf";
export type Timings = Record<string, number>;
/** When things happened, in ms since the process started (performance.now()): shows the critical path. */
export type Marks = Record<string, number>;
const mark = (marks: Marks | undefined, name: string) => {
  if (marks) marks[name] = Math.round(performance.now());
};

export interface Prepared {
  config: Config;
  year: number;
  datasets: Datasets;
  problems: Problem[];
  timings: Timings;
}

/** The imported boundaries, or undefined (the map then falls back to a ranking; never an error). */
async function readBoundaries(path: string, fx: Effects): Promise<unknown> {
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

/** The project's own templates/ next to its config.yml when it has one, else the templates shipped with the program. */
export const PACKAGE_TEMPLATES = fileURLToPath(new URL("../templates", import.meta.url));
async function templatesDirFor(configPath: string, fx: Effects): Promise<string> {
  const local = join(dirname(configPath), "templates");
  return (await fx.exists(join(local, "layout", "bulletin.hbs"))) ? local : PACKAGE_TEMPLATES;
}

async function timed<T>(timings: Timings, name: string, f: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    timings[name] = (timings[name] ?? 0) + performance.now() - t0;
  }
}

/** Steps 1–3: config, tables, validation. Problems are returned, not thrown, so `check` can print all of them. */
export async function prepare(opts: RunOptions, fx: Effects): Promise<Prepared> {
  const timings: Timings = {};
  const config = await timed(timings, "load", async () => {
    let text: string;
    try {
      text = (await fx.readFile(opts.configPath)).toString("utf8");
    } catch {
      throw new UsageError(
        `cannot read the config file ${opts.configPath}: pass --config PATH or run from the project folder`,
      );
    }
    return readConfig(text, opts.configPath);
  });
  const year = opts.year ?? config.year;
  const { datasets, problems: readProblems } = await timed(timings, "load", () => readDatasets(config, year, fx));
  const problems = await timed(timings, "validate", () => [
    ...readProblems,
    ...validateDatasets(datasets, {
      year,
      region: config.geography.region,
      periodYears: flowYearsFor(config, year).required,
    }),
  ]);
  return { config, year, datasets, problems, timings };
}

/** The edition's dates and notes; a year without an `editions` entry gets today's date and a warning. */
function editionFor(config: Config, year: number, configPath: string, problems: Problem[], fx: Effects): Edition {
  const edition = config.editions[String(year)];
  if (edition) return edition;
  const today = fx.now().toISOString().slice(0, 10);
  problems.push({
    file: configPath,
    rule: "no-edition",
    message: `no \`editions."${year}"\` entry: publication date set to today (${today})`,
    hint: `add editions."${year}".published and nextUpdate to config.yml`,
    severity: "warning",
  });
  return { published: today, nextUpdate: `${year + 2}-07`, notes: { nl: {}, en: {} } };
}

/** Step 5: the narrative of every language; the editions must state the same facts. */
function narrateAll(
  indicators: Indicators,
  templates: TemplateSet,
  edition: Edition,
  langs: Lang[],
): Record<Lang, Narrative> {
  const narratives = {} as Record<Lang, Narrative>;
  for (const lang of langs) {
    try {
      narratives[lang] = writeNarrative({
        indicators,
        locale: templates.locales[lang]!,
        templates: templates.narrative[lang]!,
        notes: edition.notes[lang],
        sectionIds: SECTION_IDS,
      });
    } catch (e) {
      if (e instanceof NarrativeError)
        throw new InputError(e.message, [
          { file: e.message.split(" ")[0] ?? "templates", rule: "narrative", message: e.message, severity: "error" },
        ]);
      throw e;
    }
  }
  compareFacts(narratives);
  return narratives;
}

/**
 * `bulletin check`: the config and the data, then, when the data pass, the templates, labels and editorial notes of
 * the edition (the narrative of every language is written and compared), without rendering or writing anything.
 */
export async function check(opts: RunOptions, fx: Effects): Promise<Prepared> {
  const prep = await prepare(opts, fx);
  if (prep.problems.some((p) => p.severity === "error")) return prep;
  const { config, year } = prep;
  const langs = opts.langs ?? config.languages;
  try {
    const indicators = computeIndicators(prep.datasets, {
      year,
      region: config.geography.region,
      periodYears: config.municipalPeriod.years,
      synthetic: config.synthetic,
    });
    const templates = await readTemplates(
      opts.templatesDir ?? (await templatesDirFor(opts.configPath, fx)),
      langs,
      SECTION_IDS,
      fx,
    );
    narrateAll(indicators, templates, editionFor(config, year, opts.configPath, prep.problems, fx), langs);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    prep.problems.push(...e.problems);
  }
  return prep;
}

/**
 * What the e-mail says, taken from the narrative so its words are the bulletin's words: the headline and the key
 * figures of the first section, as worded there.
 */
export interface EditionSummary {
  title: string;
  headline: string;
  published: string;
  keyFigures: { label: string; words: string; indicator: string }[];
}
function summaryOf(n: Narrative, locale: Locale, title: string, edition: Edition): EditionSummary {
  const words = (indicator: string) =>
    n.facts.find((f) => f.section === "headline" && f.indicator === indicator)?.words ?? "";
  return {
    title,
    headline: n.sections.headline!.headline.replace(/<[^>]*>/g, ""),
    published: locale.date(edition.published),
    keyFigures: [
      { label: locale.t("immigration"), words: words("headline.immigration"), indicator: "headline.immigration" },
      { label: locale.t("emigration"), words: words("headline.emigration"), indicator: "headline.emigration" },
      { label: locale.t("balance"), words: words("headline.balance"), indicator: "headline.balance" },
    ].map((k) => ({ ...k, words: k.words.charAt(0).toLocaleLowerCase(locale.intl) + k.words.slice(1) })),
  };
}

/** The editions must state the same facts: the same indicators with the same values, whatever the words. */
export function compareFacts(narratives: Partial<Record<Lang, Narrative>>): void {
  const key = (f: Fact) => `${f.section} ${f.indicator} = ${JSON.stringify(f.value)}`;
  const entries = Object.entries(narratives) as [Lang, Narrative][];
  const [first, ...rest] = entries;
  if (!first) return;
  const a = new Set(first[1].facts.map(key));
  for (const [lang, n] of rest) {
    const b = new Set(n.facts.map(key));
    const onlyA = [...a].filter((k) => !b.has(k));
    const onlyB = [...b].filter((k) => !a.has(k));
    if (onlyA.length || onlyB.length)
      throw new InputError(`the ${first[0]} and ${lang} editions state different facts`, [
        ...onlyA.map((k) => ({
          file: `templates/narrative/${lang}`,
          rule: "facts-differ",
          message: `only in ${first[0]}: ${k}`,
          hint: `state it in the ${lang} template too`,
          severity: "error" as const,
        })),
        ...onlyB.map((k) => ({
          file: `templates/narrative/${first[0]}`,
          rule: "facts-differ",
          message: `only in ${lang}: ${k}`,
          hint: `state it in the ${first[0]} template too`,
          severity: "error" as const,
        })),
      ]);
  }
}

export interface BuildResult {
  year: number;
  target: string;
  indicators: Indicators;
  problems: Problem[];
  timings: Timings;
  marks: Marks;
}

/**
 * The whole build. Bad input throws an InputError listing every problem, before anything is written. Chromium is
 * started first, so it boots while the data loads and the charts render, and it is closed whatever happens.
 */
export async function build(opts: RunOptions, fx: Effects): Promise<BuildResult> {
  const formats = opts.formats ?? ["html", "pdf"];
  // puppeteer is loaded only when a PDF is wanted
  const defaultLauncher = () => import("./pdf/print-pdf.ts").then((m) => m.launchPrinter());
  const shared = formats.includes("pdf") && opts.printer ? opts.printer : undefined;
  const printer = !formats.includes("pdf")
    ? undefined
    : shared
      ? Promise.resolve(shared)
      : (opts.launchPrinter ?? defaultLauncher)();
  // an early failure must not leave an unhandled rejection behind; the error is rethrown where the printer is used
  printer?.catch(() => {});
  try {
    return await buildWith(opts, fx, formats, printer);
  } finally {
    if (printer && !shared) await printer.then((p) => p.close()).catch(() => {});
  }
}

async function buildWith(
  opts: RunOptions,
  fx: Effects,
  formats: Format[],
  printerP: Promise<Printer> | undefined,
): Promise<BuildResult> {
  const t0 = performance.now();
  const marks: Marks = {};
  mark(marks, "start");
  printerP?.then(() => mark(marks, "browser")).catch(() => {});
  const prep = await prepare(opts, fx);
  mark(marks, "prepared");
  const { config, year, datasets, timings } = prep;
  const errors = prep.problems.filter((p) => p.severity === "error");
  if (errors.length)
    throw new InputError(`the data has ${errors.length} problem(s); nothing was written`, prep.problems);
  const indicators = await timed(timings, "indicators", () =>
    computeIndicators(datasets, {
      year,
      region: config.geography.region,
      periodYears: config.municipalPeriod.years,
      synthetic: config.synthetic,
    }),
  );
  const langs = opts.langs ?? config.languages;
  const templates = await timed(timings, "load", async () =>
    readTemplates(opts.templatesDir ?? (await templatesDirFor(opts.configPath, fx)), langs, SECTION_IDS, fx),
  );
  const edition = editionFor(config, year, opts.configPath, prep.problems, fx);
  const narratives = await timed(timings, "narrative", () => narrateAll(indicators, templates, edition, langs));
  mark(marks, "narrative");
  const boundaries = await timed(timings, "load", () =>
    readBoundaries(join(config.data.dir, config.data.boundaries), fx),
  );
  // Per language: charts, then the HTML, then its PDF is handed to Chromium at once, so Chromium prints one
  // edition while this thread renders the charts of the next.
  const charts = {} as Record<Lang, RenderedChart[]>;
  const html = {} as Record<Lang, string>;
  const pdfs: Partial<Record<Lang, Uint8Array>> = {};
  const printing: Promise<void>[] = [];
  const fontFace = fontFaceCss(templates.fontFiles.filter((f) => f.weight === 400 && f.style === "normal"));
  const printOne = async (printer: Printer, lang: Lang, page: string) => {
    const locale = templates.locales[lang]!;
    const title = `${config.title[lang]} ${year}`;
    pdfs[lang] = await printer.print(page, {
      lang,
      header: `${config.publisher[lang]} · ${title}`,
      footer: locale.t("page_of"),
      fontFace,
      info: {
        title: `${title} — ${indicators.labels.regions[indicators.meta.region]?.[lang] ?? ""}`,
        subject: narratives[lang].sections[SECTION_IDS[0]]!.headline.replace(/<[^>]*>/g, ""),
        keywords: [
          config.title[lang],
          locale.t("term_immigration"),
          locale.t("term_emigration"),
          locale.t("term_balance"),
          String(year),
        ].join(", "),
        author: config.publisher[lang],
        creator: "migration-bulletin",
      },
    });
    mark(marks, `pdf.${lang}`);
  };
  let pdfStart = 0;
  for (const lang of langs) {
    await timed(timings, "charts", async () => {
      const descriptions = Object.fromEntries(SECTION_IDS.map((id) => [id, narratives[lang].sections[id]!.alt]));
      const specs = buildChartSpecs({ indicators, locale: templates.locales[lang]!, boundaries, descriptions });
      charts[lang] = await renderCharts(specs, lang);
      // the PNGs are encoded on libuv's threads from now on, on the core this thread leaves free (an HTML-only build
      // of both editions: 2.6 s instead of 3.0, median of 5)
      for (const c of charts[lang]) c.png().catch(() => {}); // awaited (and failures reported) below
    });
    mark(marks, `charts.${lang}`);
    const htmlFor = (medium: "screen" | "print") => {
      const locale = templates.locales[lang]!;
      const figureNotes = {
        municipalities: boundaries ? { credit: locale.t("boundaries_credit") } : { notice: locale.t("map_fallback") },
      };
      const slots = Object.fromEntries(charts[lang].map((c) => [c.id, { svg: c.svg, table: c.table }]));
      return assembleHtml({
        config,
        edition,
        indicators,
        locale,
        narrative: narratives[lang],
        sectionIds: SECTION_IDS,
        layout: templates.layout,
        css: templates.css,
        fontFaces: templates.fontFaces,
        charts: slots,
        figureNotes,
        medium,
      });
    };
    // the copy Chromium prints leaves out what the print stylesheet hides (A/B, 6 cold builds each: Chromium
    // used 0.5 s less CPU, the build was 0.3 s faster)
    const forPrint = printerP ? await timed(timings, "html", () => htmlFor("print")) : undefined;
    html[lang] = await timed(timings, "html", () => htmlFor("screen"));
    mark(marks, `html.${lang}`);
    if (printerP) {
      pdfStart ||= performance.now();
      const p = printerP.then((printer) => printOne(printer, lang, forPrint ?? html[lang]!));
      p.catch(() => {}); // awaited below; a failure must not become an unhandled rejection meanwhile
      printing.push(p);
    }
  }
  const pngs = {} as Record<Lang, Uint8Array[]>;
  // PNGs: encoded since their chart was drawn; collected here
  await timed(timings, "png", async () => {
    for (const lang of langs) {
      pngs[lang] = [];
      for (const c of charts[lang]) pngs[lang].push(await c.png());
    }
  }).catch(async (e) => {
    await Promise.allSettled(printing);
    throw e;
  });
  mark(marks, "png");
  if (printing.length) {
    await Promise.all(printing);
    timings.pdf = performance.now() - pdfStart;
  }
  const target = join(opts.outDir ?? config.output.dir, String(year));
  const staging = await stage(fx, target);
  try {
    await timed(timings, "write", async () => {
      await fx.writeFile(join(staging, "indicators.json"), `${JSON.stringify(indicators, null, 2)}\n`);
      for (const lang of langs) {
        if (formats.includes("html")) await fx.writeFile(join(staging, lang, "bulletin.html"), html[lang]!);
        const pdf = pdfs[lang];
        if (pdf) await fx.writeFile(join(staging, lang, "bulletin.pdf"), pdf);
        await fx.writeFile(join(staging, lang, "facts.json"), `${JSON.stringify(narratives[lang].facts, null, 2)}\n`);
        await fx.writeFile(
          join(staging, lang, "summary.json"),
          `${JSON.stringify(summaryOf(narratives[lang], templates.locales[lang]!, config.title[lang], edition), null, 2)}\n`,
        );
        for (const [k, c] of charts[lang].entries()) {
          const dir = join(staging, lang, "charts");
          await fx.writeFile(join(dir, `${c.id}.svg`), c.svg);
          await fx.writeFile(join(dir, `${c.id}.png`), pngs[lang][k]!);
          await fx.writeFile(join(dir, `${c.id}.csv`), c.csv);
          await fx.writeFile(join(dir, `${c.id}.vl.json`), c.specJson);
        }
      }
    });
    await timed(timings, "publish", () => publish(fx, staging, target));
  } catch (e) {
    await discard(fx, staging);
    throw e;
  }
  mark(marks, "published");
  timings.total = performance.now() - t0;
  return { year, target, indicators, problems: prep.problems, timings, marks };
}

/** `bulletin geo import`: boundaries → data/geo/municipalities.topo.json, with a report against the code list. */
export async function importGeo(
  o: { file: string; configPath: string; out: string; codeField?: string; nameField?: string; keep?: number },
  fx: Effects,
): Promise<{ report: string; missing: string[]; extra: string[]; count: number }> {
  const config = readConfig((await fx.readFile(o.configPath)).toString("utf8"), o.configPath);
  const { importBoundaries } = await import("./geo/import-boundaries.ts");
  const r = await importBoundaries(o.file, async (p) => ((await fx.exists(p)) ? fx.readFile(p) : undefined), o);
  // only the municipality list is needed here, not the flow tables
  const { table, problems } = await readOneTable(config, "municipalities", fx);
  if (problems.length) throw new InputError(`cannot read ${table.file}`, problems);
  const munis = table.rows.filter((m) => m.region === config.geography.region);
  const have = new Set(r.codes);
  const known = new Set(munis.map((m) => m.nis as string));
  const missing = munis.filter((m) => !have.has(m.nis as string)).map((m) => `${m.nis} ${m.name_nl}`);
  const extra = r.codes.filter((c) => !known.has(c));
  const tmp = `${o.out}.tmp-${process.pid}`;
  await fx.writeFile(tmp, JSON.stringify(r.topology));
  await fx.rename(tmp, o.out);
  const lines = [
    `wrote ${o.out}: ${r.count} shapes, ${munis.length - missing.length} of the ${munis.length} municipalities of region ${config.geography.region} matched`,
    missing.length
      ? `municipalities of the data without a shape (${missing.length}): ${missing.join(", ")}`
      : "every municipality of the data has a shape",
    extra.length
      ? `shapes without data (${extra.length}, drawn as context): ${extra.join(", ")}`
      : "every shape has data",
  ];
  return { report: lines.join("\n"), missing, extra, count: r.count };
}

export interface SendOptionsCli {
  configPath: string;
  year?: number;
  outDir?: string;
  langs?: Lang[];
  dryRun?: boolean;
  to?: string;
  env: NodeJS.ProcessEnv;
  /** tests may pass their own transport */
  transport?: Transport;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * `bulletin send`: e-mails the built edition to the subscribers, each in their language, exactly once (see
 * email/send-editions.ts and email/ledger.ts). Addresses are checked before anything is sent.
 */
export async function send(
  o: SendOptionsCli,
  fx: Effects,
): Promise<SendResult & { dryRunFiles: string[]; ledger?: string }> {
  // the mail modules (nodemailer) are loaded by this command only
  const [{ composeMessage }, { fileLedger }, { sendEditions }, { emlTransport, smtpTransport }] = await Promise.all([
    import("./email/compose.ts"),
    import("./email/ledger.ts"),
    import("./email/send-editions.ts"),
    import("./email/smtp.ts"),
  ]);
  const config = readConfig((await fx.readFile(o.configPath)).toString("utf8"), o.configPath);
  if (!config.mail)
    throw new UsageError(
      `${o.configPath} has no \`mail:\` section: add the sender and the subscribers (see README § E-mail)`,
    );
  const year = o.year ?? config.year;
  const langs = o.langs ?? config.languages;
  const problems: Problem[] = [];
  let recipients: Recipient[] = [];
  if (o.to) {
    if (!EMAIL.test(o.to)) throw new UsageError(`--to ${o.to} is not an e-mail address`);
    recipients = langs.map((lang) => ({ address: o.to!, lang }));
  } else {
    recipients = [...config.mail.subscribers];
    if (config.mail.subscribersFile) {
      const file = join(config.data.dir, config.mail.subscribersFile);
      const table = parseTable(
        file,
        (await fx.readFile(file)).toString("utf8"),
        [
          { name: "address", type: "string" },
          { name: "lang", type: "string" },
          { name: "name", type: "string", optional: true },
        ],
        problems,
      );
      for (const r of table.rows) {
        if (!EMAIL.test(r.address as string))
          problems.push({
            file,
            line: r.line,
            column: 1,
            rule: "bad-address",
            message: `\`${r.address}\` is not an e-mail address`,
            hint: "write it as name@domain.tld",
            severity: "error",
          });
        else if (r.lang !== "nl" && r.lang !== "en")
          problems.push({
            file,
            line: r.line,
            column: 2,
            rule: "bad-language",
            message: `language \`${r.lang}\``,
            hint: "use nl or en",
            severity: "error",
          });
        else
          recipients.push({
            address: r.address as string,
            lang: r.lang as Lang,
            ...(r.name ? { name: r.name as string } : {}),
          });
      }
    }
    const seen = new Set<string>();
    for (const r of recipients) {
      const k = r.address.toLowerCase();
      if (seen.has(k))
        problems.push({
          file: o.configPath,
          rule: "duplicate-subscriber",
          message: `${r.address} is subscribed twice`,
          hint: "keep one entry per address (with its language)",
          severity: "error",
        });
      seen.add(k);
    }
    recipients = recipients.filter((r) => langs.includes(r.lang));
  }
  if (problems.some((p) => p.severity === "error"))
    throw new InputError("the subscriber list has problems; nothing was sent", problems);

  const dir = join(o.outDir ?? config.output.dir, String(year));
  const assets = new Map<Lang, EditionAssets>();
  for (const lang of new Set(recipients.map((r) => r.lang))) {
    const at = (rel: string) => join(dir, lang, rel);
    if (!(await fx.exists(at("bulletin.pdf"))) || !(await fx.exists(at("summary.json"))))
      throw new InputError(`no built ${lang} edition in ${join(dir, lang)}`, [
        {
          file: at("bulletin.pdf"),
          rule: "not-built",
          message: "the edition to send has not been built (with its PDF)",
          hint: `run \`npx bulletin build --year ${year}\` first`,
          severity: "error",
        },
      ]);
    assets.set(lang, {
      year,
      lang,
      summary: JSON.parse((await fx.readFile(at("summary.json"))).toString("utf8")) as EditionSummary,
      pdf: new Uint8Array(await fx.readFile(at("bulletin.pdf"))),
      chartPng: new Uint8Array(await fx.readFile(at("charts/headline.png"))),
      synthetic: config.synthetic,
    });
  }
  const messages = recipients.map((r) => composeMessage(config, assets.get(r.lang)!, r, { test: Boolean(o.to) }));

  if (o.dryRun) {
    const eml = emlTransport();
    const files: string[] = [];
    for (const m of messages) {
      const info = (await eml.sendMail(m.mail)) as unknown as { message: Buffer };
      const file = join(dir, "outbox", m.recipient.lang, `${m.recipient.address}.eml`);
      await fx.writeFile(file, info.message);
      files.push(file);
    }
    fx.log(`dry run: ${files.length} message(s) written to ${join(dir, "outbox")}, nothing sent`);
    return { sent: [], skipped: [], failed: [], dryRunFiles: files };
  }
  const smtp = o.transport ? { transport: o.transport, describe: "(given transport)" } : smtpTransport(o.env);
  fx.log(`sending ${messages.length} message(s) through ${smtp.describe}`);
  // a test send (--to) is not part of the mailing: it is not recorded, and it does not block the real send
  const ledgerPath = join(dir, "send-ledger.jsonl");
  const ledger = o.to ? memoryLedger() : fileLedger(ledgerPath);
  const mail = config.mail;
  const result = await sendEditions(messages, smtp.transport, ledger, {
    concurrency: mail.concurrency,
    retries: mail.retries,
    retryDelayMs: mail.retryDelayMs,
    now: () => fx.now(),
    log: (m) => fx.log(m),
    sleep: o.sleep,
  });
  (smtp.transport as { close?: () => void }).close?.();
  return { ...result, dryRunFiles: [], ledger: o.to ? undefined : ledgerPath };
}

function memoryLedger(): Ledger {
  const ids = new Set<string>();
  return { has: (id) => ids.has(id), record: async (e) => void ids.add(e.messageId) };
}
