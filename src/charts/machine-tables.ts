import type { SectionId } from "../core/domain.ts";
import type { Locale } from "../i18n/locale.ts";
import type { Indicators } from "../indicators/types.ts";
import { shownValue } from "./shown.ts";

/**
 * The `.csv` download of each figure: tidy, one observation per line, for programs rather than people. The column
 * names and codes are the same in every language (English snake_case, NIS and ISO codes, `immigration`/
 * `emigration`); a `*_label` column beside each code gives its name in the edition's language. Numbers are
 * unrounded except rates (three decimals), written with a decimal point; a value disclosure control hides is its
 * marker ("<5": a count of 1–4; "x"), as in the tables. The HTML table and the `.xlsx` keep the
 * labelled, rounded layout of the figure (README § Figures and downloads).
 */
export interface MachineTable {
  columns: string[];
  rows: (string | number)[][];
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** The tidy table of each figure, by its section (see the top of this file). */
export function machineTable(id: SectionId, ind: Indicators, locale: Locale): MachineTable {
  return TABLES[id](tableInput(ind, locale));
}

interface TableInput {
  ind: Indicators;
  locale: Locale;
  lang: Locale["lang"];
  L: Indicators["labels"];
  area: string;
  areaLabel: string;
  /** a value, or the marker of a value disclosure control hides ("<5", "x") */
  at(path: string): string | number;
}

function tableInput(ind: Indicators, locale: Locale): TableInput {
  return {
    ind,
    locale,
    lang: locale.lang,
    L: ind.labels,
    area: ind.meta.area,
    areaLabel: ind.labels.area[locale.lang],
    at: (path) => shownValue(ind, path),
  };
}

const TABLES: Record<SectionId, (t: TableInput) => MachineTable> = {
  headline: tableHeadline,
  components: tableComponents,
  "nationality-groups": tableNationalityGroups,
  "top-nationalities": tableTopNationalities,
  municipalities: tableMunicipalities,
  regions: tableRegions,
  "eu-comparison": tableEuComparison,
};

function tableHeadline({ ind, area, areaLabel, at }: TableInput): MachineTable {
  return {
    columns: ["year", "area", "area_label", "immigration", "emigration", "balance", "break_in_series"],
    rows: ind.series.map((s, k) => [
      s.year,
      area,
      areaLabel,
      at(`series.${k}.immigration`),
      at(`series.${k}.emigration`),
      at(`series.${k}.balance`),
      s.breakInSeries ? 1 : 0,
    ]),
  };
}

function tableComponents({ ind, lang, L, area, at }: TableInput): MachineTable {
  return {
    columns: ["year", "area", "direction", "component", "component_label", "count", "share"],
    rows: ind.components.byYear
      .map((c, k) => ({ c, k }))
      .filter(({ c }) => c.year >= ind.components.from && c.year <= ind.components.to)
      .map(({ c, k }) => [
        c.year,
        area,
        c.direction,
        c.code,
        L.components[`${c.direction}:${c.code}`]?.[lang] ?? c.code,
        at(`components.byYear.${k}.count`),
        c.share === null ? at(`components.byYear.${k}.share`) : r3(c.share),
      ]),
  };
}

function tableNationalityGroups({ ind, locale, area, at }: TableInput): MachineTable {
  return {
    columns: ["year", "area", "group", "group_label", "immigration", "emigration", "balance"],
    rows: ind.nationalityGroups.rows.map((g, k) => [
      ind.nationalityGroups.year,
      area,
      g.group,
      locale.t(`group_${g.group}`),
      at(`nationalityGroups.rows.${k}.immigration`),
      at(`nationalityGroups.rows.${k}.emigration`),
      at(`nationalityGroups.rows.${k}.balance`),
    ]),
  };
}

function tableTopNationalities({ ind, lang, L, area, at }: TableInput): MachineTable {
  return {
    columns: ["year", "area", "direction", "rank", "nationality", "nationality_label", "men", "women", "total"],
    rows: (["immigration", "emigration"] as const).flatMap((dir) =>
      ind.topNationalities[dir].map((n, k) => [
        ind.topNationalities.year,
        area,
        dir,
        n.rank ?? "",
        n.code,
        L.nationalities[n.code]?.[lang] ?? n.code,
        at(`topNationalities.${dir}.${k}.men`),
        at(`topNationalities.${dir}.${k}.women`),
        at(`topNationalities.${dir}.${k}.total`),
      ]),
    ),
  };
}

function tableMunicipalities({ ind, at }: TableInput): MachineTable {
  return {
    columns: [
      "period_from",
      "period_to",
      "nis",
      "municipality_label",
      "immigration",
      "emigration",
      "balance",
      "average_population",
      "balance_per_1000_per_year",
      // 0: the rate is not reliable (fewer inhabitants or movements than the disclosure rule's minimum)
      "rate_reliable",
    ],
    rows: ind.municipalities.rows.map((m, k) => [
      ind.municipalities.from,
      ind.municipalities.to,
      m.nis,
      m.name,
      at(`municipalities.rows.${k}.immigration`),
      at(`municipalities.rows.${k}.emigration`),
      at(`municipalities.rows.${k}.balance`),
      r3(m.averagePopulation),
      m.ratePer1000 === null ? at(`municipalities.rows.${k}.ratePer1000`) : r3(m.ratePer1000),
      m.reliable === null ? "" : m.reliable === false ? 0 : 1, // hidden with the counts it tells about
    ]),
  };
}

function tableRegions({ ind, lang, L }: TableInput): MachineTable {
  return {
    columns: [
      "year",
      "region",
      "region_label",
      "immigration",
      "emigration",
      "balance",
      "average_population",
      "balance_per_1000",
      "break_in_series",
    ],
    rows: ind.regions.series.map((s) => [
      s.year,
      s.region,
      L.regions[s.region]?.[lang] ?? s.region,
      s.immigration,
      s.emigration,
      s.balance,
      r3(s.population),
      r3(s.ratePer1000),
      s.breakInSeries ? 1 : 0,
    ]),
  };
}

function tableEuComparison({ ind, lang, L }: TableInput): MachineTable {
  return {
    columns: [
      "year",
      "geo",
      "geo_label",
      "kind",
      "immigrations",
      "population",
      "immigrations_per_1000",
      "immigrations_flag",
      "population_flag",
    ],
    rows: ind.eu.rows.map((e) => [
      ind.eu.year ?? "",
      e.geo,
      L.eu[e.geo]?.[lang] ?? e.geo,
      e.kind,
      e.immigrations,
      e.population,
      r3(e.ratePer1000),
      e.immigrationsFlag,
      e.populationFlag,
    ]),
  };
}
