import Handlebars from "handlebars";
import { syntheticNoticeKey } from "../config/edition.ts";
import type { Config, Edition } from "../config/schema.ts";
import { FIGURE_SOURCES, type SectionId } from "../core/domain.ts";
import type { Locale } from "../i18n/locale.ts";
import type { Indicators } from "../indicators/types.ts";
import { compiledTemplate, type Narrative } from "../narrative/write-narrative.ts";

export interface ChartSlot {
  svg: string;
  /** the data behind the chart as an HTML table */
  table: string;
}
export interface HtmlInput {
  config: Config;
  edition: Edition;
  indicators: Indicators;
  locale: Locale;
  narrative: Narrative;
  sectionIds: readonly string[];
  layout: string;
  css: string;
  fontFaces: string;
  charts: Partial<Record<string, ChartSlot>>;
  /** per section: a notice shown under its figure (e.g. the map's fallback) and a credit for the source line */
  figureNotes?: Partial<Record<string, { notice?: string; credit?: string }>>;
  /**
   * "print": the copy Chromium prints, without what the print stylesheet hides anyway (each figure's data table and
   * download links, the link to the other edition): the printed pages are the same, Chromium parses ~10 % less.
   */
  medium?: "screen" | "print";
}

/** The sources of a figure's data, in the edition's language (only its own: the register, Eurostat). */
export const figureSource = (id: string, locale: Locale) =>
  (FIGURE_SOURCES[id as SectionId] ?? ["register"]).map((s) => locale.t(`source_${s}`)).join("; ");

const capitalize = (s: string, l: Locale) => s.charAt(0).toLocaleUpperCase(l.intl) + s.slice(1);

/** The layout compiled once per source: both editions (and every municipal edition) share it. */
const layouts = new Map<string, HandlebarsTemplateDelegate>();

/** Pure: everything in, one self-contained HTML document out (inline CSS, fonts and SVG; no external request). */
export function assembleHtml(input: HtmlInput): string {
  const { config, edition, indicators, locale, narrative } = input;
  const lang = locale.lang;
  const others = config.languages.filter((l) => l !== lang);
  const sections = input.sectionIds.map((id, i) => {
    const n = narrative.sections[id]!;
    return {
      id,
      number: i + 1,
      headline: n.headline,
      headlineText: n.headlineText,
      body: n.body,
      note: n.note,
      caption: n.caption,
      // a figure left undrawn (every value hidden) has nothing to describe: its notice says why
      alt: input.charts[id]?.svg === "" ? "" : n.altText,
      chart: input.charts[id],
      fallbackNotice: input.figureNotes?.[id]?.notice,
      source: figureSource(id, locale),
      credit: input.figureNotes?.[id]?.credit ?? (id === "eu-comparison" ? euFlagsNote(indicators, locale) : undefined),
    };
  });
  let template = layouts.get(input.layout);
  if (!template) {
    // its compiled code kept from earlier runs, as the narrative's templates are (narrative/write-narrative.ts)
    template = Handlebars.create().template(compiledTemplate(input.layout));
    layouts.set(input.layout, template);
  }
  return template({
    lang,
    otherLang: others[0] ?? null,
    title: config.title[lang],
    publisher: config.publisher[lang],
    // the sources of what the edition shows: an edition without the EU comparison credits no Eurostat
    source: input.sectionIds.includes("eu-comparison")
      ? config.source[lang]
      : [...new Set(input.sectionIds.map((id) => figureSource(id, locale)))].join("; "),
    year: indicators.meta.year,
    // the area as the text names it ("Flemish Region", "Province of Antwerp")
    regionName: capitalize(
      locale.t(`area_${indicators.meta.areaLevel}`, { name: indicators.labels.area[lang] }),
      locale,
    ),
    // an edition of another area than the bulletin's own names it in its first heading (and so in the PDF's first
    // bookmark): a reader moving by headings must hear which municipality this is
    areaHeading:
      indicators.meta.area === config.geography.region
        ? null
        : capitalize(locale.t(`area_${indicators.meta.areaLevel}`, { name: indicators.labels.area[lang] }), locale),
    published: locale.date(edition.published),
    publishedIso: edition.published,
    nextUpdate: locale.month(edition.nextUpdate),
    nextUpdateIso: edition.nextUpdate,
    synthetic: indicators.meta.synthetic,
    // a municipality's edition is short: no cover page, no table of contents, the definitions run on
    compact: indicators.meta.areaLevel === "municipality",
    // where imported tables came from (data/provenance.json)
    imports: indicators.meta.provenance.map((e) =>
      locale.t("imported_from", {
        source: e.source,
        dataset: e.dataset,
        file: e.file,
        updated: e.lastUpdate ? locale.t("imported_updated", { date: e.lastUpdate }) : "",
        date: locale.date(e.imported.slice(0, 10)),
      }),
    ),
    syntheticNotice: locale.t(syntheticNoticeKey(config, indicators.meta.year)),
    print: input.medium === "print",
    // the PNG download link: a municipal edition has PNG copies only when config.yml asks (output.municipalPng)
    png: indicators.meta.areaLevel !== "municipality" || config.output.municipalPng,
    label: locale.labels,
    firstHeadline: sections[0]?.headlineText ?? "",
    keywords: [
      config.title[lang],
      locale.t("term_immigration"),
      locale.t("term_emigration"),
      locale.t("term_balance"),
    ].join(", "),
    sections,
    definitions: narrative.sections.definitions,
    // said only when there is a previous edition to compare with
    revisions: narrative.sections.revisions?.body ? narrative.sections.revisions : undefined,
    css: input.css,
    fontFaces: input.fontFaces,
  });
}

/** What Eurostat's flags on the figure's values mean, when it has any ("Eurostat's flags: p = provisional."). */
function euFlagsNote(ind: Indicators, locale: Locale): string | undefined {
  if (!ind.eu.flags) return undefined;
  const list = [...ind.eu.flags].map((f) =>
    ["b", "e", "p"].includes(f) ? locale.t(`eu_flag_${f}`) : locale.t("eu_flag_other", { flag: f }),
  );
  return locale.t("eu_flags_note", { list: list.join("; ") });
}
