import { EU27_SINCE } from "../core/domain.ts";
import type { Row } from "../data/csv.ts";
import type { Merged } from "../data/harmonise.ts";
import type { Datasets } from "../data/read-datasets.ts";
import type { Area } from "./area.ts";
import { compositionOf } from "./composition.ts";
import { DEFAULT_RULE, type DisclosureRule } from "./disclosure.ts";
import { discloseIndicators, localComparison } from "./municipal.ts";
import { euSection, regionsSection } from "./regions-eu.ts";
import { compareEditions } from "./revisions.ts";
import {
  componentsSection,
  groupsSection,
  municipalitiesSection,
  type SectionInput,
  sectionInput,
  seriesSection,
  topSection,
} from "./sections.ts";
import type { Indicators, Label, MunicipalityValue } from "./types.ts";

export { CLASS_BREAKS, sumBy } from "./sections.ts";

/*
 * The indicators of an edition: one function per section (sections.ts: 1–5, regions-eu.ts: 6–7) over the same
 * flows, summed once per year for the area (aggregate.ts), then the meta data, the labels, the revisions and, for a
 * municipality, its comparison with the areas it lies in.
 */

export interface IndicatorParams {
  year: number;
  /** the area the edition is about (see resolveArea) */
  area: Area;
  periodYears: number;
  synthetic: boolean;
  /** how many nationalities the top lists hold */
  topSize?: number;
  /** a municipality's edition: the municipal rows of its whole region (the region's indicators), to compare with */
  regionRows?: MunicipalityValue[];
  /** a municipality's edition: the rule of its disclosure control */
  disclosure?: DisclosureRule;
  /** false: the figures as computed, for the round's pattern (disclosure/round.ts) to hide what it hides; else a
   * municipality's edition is protected alone (its own sums only) */
  disclose?: boolean;
  /** the previous edition's indicators (its indicators.json), for the revisions */
  previous?: Indicators;
  /** the municipalities the tables are on (data/harmonise.ts): the year, and the years recomputed for them */
  geography?: { year: number; recomputed: number[]; merged?: Merged[] };
}

/** Pure: validated tables in, indicators out. Throws only on a programming error (validation ran before). */
export function computeIndicators(ds: Datasets, p: IndicatorParams): Indicators {
  const c = sectionInput(ds, p);
  const s = seriesSection(c); // 1
  const topNationalities = topSection(c); // 4
  const municipalities = municipalitiesSection(c); // 5
  const ind: Indicators = {
    meta: metaOf(c, s.hasLongSeries, p.synthetic),
    headline: s.headline,
    series: s.series,
    seriesFacts: s.seriesFacts,
    components: componentsSection(c), // 2
    nationalityGroups: groupsSection(c, s.current), // 3
    topNationalities,
    municipalities,
    regions: regionsSection(c), // 6
    eu: euSection(c), // 7
    labels: labelsOf(
      ds,
      p.area,
      new Set([...topNationalities.immigration, ...topNationalities.emigration].map((n) => n.code)),
    ),
    revisions: null,
  };
  ind.revisions = p.previous ? compareEditions(p.previous, ind) : null;
  const g = p.geography;
  const composition =
    g?.merged &&
    compositionOf(ds, p.area, {
      geography: g.year,
      recomputed: g.recomputed,
      merged: g.merged,
      years: ind.series.map((y) => y.year),
    });
  if (composition) ind.composition = composition;
  if (p.area.level === "municipality" && p.regionRows) {
    ind.local = localComparison(p.area, ds, p.regionRows, p.periodYears, p.disclosure ?? DEFAULT_RULE);
    return p.disclose === false ? ind : discloseIndicators(ind, p.disclosure ?? DEFAULT_RULE);
  }
  return ind;
}

/** What the edition is: its year, area, the source of its series, its period, the imports it is made from. */
function metaOf(c: SectionInput, hasLongSeries: boolean, synthetic: boolean): Indicators["meta"] {
  const { ds, year, area, p } = c;
  const from = year - p.periodYears + 1;
  const popYears = Array.from({ length: p.periodYears + 1 }, (_, i) => from + i);
  return {
    year,
    area: area.nis,
    areaLevel: area.level,
    region: area.region,
    seriesSource: hasLongSeries ? "long-series" : "flows",
    synthetic,
    period: { from, to: year, years: p.periodYears },
    eu27Since: EU27_SINCE,
    populationBasis: `mean of the populations on 1 January ${popYears[0]}–${popYears.at(-1)}`,
    flowYears: [...ds.flows.keys()].sort(),
    // the latest import of each dataset into each table (every table is used by every edition)
    provenance: [
      ...new Map(
        ds.provenance.map((e) => [
          `${e.table}|${e.dataset}`,
          {
            table: e.table,
            source: e.source,
            dataset: e.dataset,
            file: e.file,
            ...(e.lastUpdate ? { lastUpdate: e.lastUpdate } : {}),
            imported: e.imported,
          },
        ]),
      ).values(),
    ],
  };
}

/** The labels of every code the indicators mention. */
function labelsOf(ds: Datasets, area: Area, used: Set<string>): Indicators["labels"] {
  const label = (r: Row): Label => ({
    nl: r.name_nl as string,
    en: r.name_en as string,
    ...(r.adjective_nl ? { adjective_nl: r.adjective_nl as string } : {}),
    ...(r.adjective_en ? { adjective_en: r.adjective_en as string } : {}),
  });
  return {
    regions: Object.fromEntries(
      ds.areas.rows
        .filter((r) => r.level === "region" || r.level === "country")
        .map((r) => [r.nis as string, label(r)]),
    ),
    area: area.label,
    components: Object.fromEntries(ds.components.rows.map((r) => [`${r.direction}:${r.code}`, label(r)])),
    nationalities: Object.fromEntries(
      ds.nationalities.rows.filter((r) => used.has(r.code as string)).map((r) => [r.code as string, label(r)]),
    ),
    eu: Object.fromEntries(ds.euGeo.rows.map((r) => [r.geo as string, label(r)])),
  };
}
