/** Language-neutral indicators: raw numbers and codes only, never formatted text. Written as indicators.json. */
import type { AreaLevel, Direction, Group } from "../core/domain.ts";
import type { RiseOnset, SeriesShape } from "./trends.ts";

export type { Direction, Group };

export interface YearTotals {
  year: number;
  immigration: number;
  emigration: number;
  balance: number;
  breakInSeries: boolean;
}
export interface ComponentValue {
  code: string;
  count: number;
  /** share of the direction's total, 0–1 */
  share: number;
}
export interface NationalityValue {
  /** null in a municipality's published list for the entries that follow unranked (see `ranked` below) */
  rank: number;
  code: string;
  group: Group;
  total: number;
  men: number;
  women: number;
  majority: "men" | "women" | "equal";
}
export interface MunicipalityValue {
  nis: string;
  name: string;
  immigration: number;
  emigration: number;
  balance: number;
  averagePopulation: number;
  /** average yearly balance per 1,000 inhabitants over the period */
  ratePer1000: number;
  /** the rate meets the rule (disclosure.rateMinPopulation inhabitants, rateMinEvents movements) */
  reliable: boolean;
  rank: number;
}
export interface EuValue {
  geo: string;
  kind: "country" | "aggregate" | "region";
  immigrations: number;
  population: number;
  ratePer1000: number;
  /** rank among the countries (1 = highest rate); undefined for aggregates and regions */
  rank?: number;
  /** Eurostat's flags of the two figures (`p` provisional, `e` estimated, `b` break in series …), and both together */
  immigrationsFlag: string;
  populationFlag: string;
  flags: string;
}
export interface Label {
  nl: string;
  en: string;
  adjective_nl?: string;
  adjective_en?: string;
}

export interface Indicators {
  meta: {
    year: number;
    /** the NIS code the edition is about, and its level */
    area: string;
    areaLevel: AreaLevel;
    /** the region the area lies in (the area itself for a region) */
    region: string;
    /** where the yearly totals come from: the region's long series, or the sum of the area's flows */
    seriesSource: "long-series" | "flows";
    synthetic: boolean;
    period: { from: number; to: number; years: number };
    populationBasis: string;
    /** the imports the tables used came from (data/provenance.json), newest last */
    provenance: {
      table: string;
      source: string;
      dataset: string;
      file: string;
      lastUpdate?: string;
      imported: string;
    }[];
    /** the EU27 composition used for the nationality groups (the member states since this year) */
    eu27Since: number;
    flowYears: number[];
  };
  headline: YearTotals & {
    previous: YearTotals[];
    immigrationLowerThanAllPrevious: boolean;
    immigrationHigherThanAllPrevious: boolean;
    balanceLowerThanAllPrevious: boolean;
    balanceHigherThanAllPrevious: boolean;
  };
  series: YearTotals[];
  seriesFacts: {
    first: number;
    breakYears: number[];
    breaks: { year: number; balance: number }[];
    /** the first year of the series, and the mean yearly balance over its first ten years */
    start: YearTotals;
    firstDecade: { from: number; to: number; meanBalance: number };
    maxBalance: { year: number; value: number };
    minBalance: { year: number; value: number };
    /** the start of a sustained sharp rise of the balance before the first break (trends.ts), or null */
    riseSince: RiseOnset | null;
  };
  components: {
    year: number;
    /** the years of the components figure */
    from: number;
    to: number;
    immigration: ComponentValue[];
    emigration: ComponentValue[];
    byYear: { year: number; direction: Direction; code: string; count: number; share: number }[];
  };
  nationalityGroups: {
    year: number;
    rows: { group: Group; immigration: number; emigration: number; balance: number; immigrationShare: number }[];
    largestImmigrationGroup: Group;
  };
  topNationalities: {
    year: number;
    size: number;
    /** the smallest total a list shows (a municipality's: minCount) */
    minTotal?: number;
    /** false: the list names the nationalities in rank order without their numbers (a municipality's) */
    counts?: boolean;
    immigration: NationalityValue[];
    emigration: NationalityValue[];
    womenMajority: Record<Direction, string[]>;
    totalsBySex: Record<Direction, { men: number; women: number }>;
    /**
     * A municipality's published list: how many of each list, from its start, are in rank order. After them come, by
     * code and unranked, those from the first whose total is hidden by disclosure control (indicators/municipal.ts).
     */
    ranked?: Record<Direction, number>;
  };
  municipalities: {
    from: number;
    to: number;
    /** the municipalities as in force on 1 January of `year`; the period's years whose figures were added up to
     * them from the municipalities they merged (data/harmonise.ts) */
    geography: { year: number; recomputed: number[] };
    rows: MunicipalityValue[];
    count: number;
    /** the 1 January populations averaged for the rates */
    populationYears: { from: number; to: number };
    /** the years whose 1 January population is averaged, each of them */
    populationDates: number[];
    negative: string[];
    zero: string[];
    positive: number;
    classBreaks: number[];
    topClass: { threshold: number; members: string[] };
    highest: string[];
    /** municipalities whose rate is not reliable (few inhabitants or movements): in no list above, marked in the
     * map and the tables */
    unreliable: string[];
    /** rows whose balance disclosure control hides (listed last, unranked; not in the lists above) */
    hidden?: number;
    /** the municipalities whose balance disclosure control hides (NIS codes, in code order) */
    notPublished?: string[];
    /** how many municipalities' balances are published */
    published?: number;
  };
  regions: {
    series: {
      year: number;
      region: string;
      immigration: number;
      emigration: number;
      balance: number;
      breakInSeries: boolean;
      /** mean of the populations on 1 January of the year and of the next year */
      population: number;
      ratePer1000: number;
    }[];
    positiveSince: Record<string, number | null>;
    first: number;
    /** per region: the shape of its balance per 1,000 (trends.ts) */
    shapes: Record<string, SeriesShape>;
    /** regions whose balance per 1,000 rose steadily */
    steadyRise: string[];
    /** regions whose balance rose over the period with falls (regions.shapes[code].falls): not "steadily" */
    risingWithFalls: string[];
    /** regions whose balance per 1,000 was highly variable */
    highlyVariable: string[];
    /** the region whose balance per 1,000 was much higher than the others', or null */
    muchHigher: string | null;
    thresholds: { steadyMax: number; variableMin: number; muchHigherFactor: number };
  };
  eu: {
    year: number | null;
    /** the flags of the year's values, each letter once (for the note under the figure) */
    flags: string;
    rows: EuValue[];
    regionGeo: string;
    countries: number;
  };
  /** a municipality's edition: its rate beside its arrondissement, province and region, and its rank */
  local?: LocalComparison;
  /** a municipality's edition: what disclosure control hid (disclosure.ts); the values there are null */
  disclosure?: Disclosure;
  /** what changed since the previous edition (revisions.ts); null without one */
  revisions: Revisions | null;
  /** the areas of the edition whose municipalities changed by a merger inside the years shown (composition.ts) */
  composition?: Composition | null;
  labels: {
    regions: Record<string, Label>;
    /** the name of the edition's area */
    area: Label;
    components: Record<string, Label>;
    nationalities: Record<string, Label>;
    eu: Record<string, Label>;
  };
}

/** What mergers changed in the areas an edition shows (composition.ts). */
export interface Composition {
  /** the figures follow the municipalities as of 1 January of this year */
  geography: number;
  /** the earlier years shown that were recomputed for them */
  years: number[];
  /** a municipality's edition: the former municipalities it is made of, when a merger formed it (else empty) */
  formedFrom: string[];
  /** an area shown or compared with that lost a municipality to another, or gained one */
  moves: { area: string; kind: "lost" | "gained"; municipality: string; into: string; other: string }[];
  /** the names of the codes above */
  names: Record<string, { level: string; nl: string; en: string }>;
}

/** What changed since the previous edition (revisions.ts). */
export interface Revision {
  measure: "immigration" | "emigration" | "balance";
  year: number;
  previous: number;
  current: number;
  change: number;
}

export interface Revisions {
  /** the observation year of the edition compared with */
  previousEdition: number;
  /** the years both editions cover */
  years: number[];
  /** how many figures were compared */
  compared: number;
  /** the changes of the area's yearly totals (threshold: one person) */
  totals: Revision[];
  /** the other figures compared (components, regions' totals) that changed, and the largest relative change */
  other: { count: number; maxShare: number };
}

export interface LocalComparison {
  /** the average yearly balance per 1,000 inhabitants over the period, of the municipality and the areas it lies in */
  rates: {
    level: "municipality" | "arrondissement" | "province" | "region";
    nis: string;
    label: Label;
    ratePer1000: number;
    /** the mean population the rate is on */
    population: number;
    balance: number;
  }[];
  /** its place among the municipalities of its arrondissement by that rate (1 = highest) */
  rank: { position: number; of: number; arrondissement: string };
  /** the municipality's rate is reliable under the disclosure rule (enough inhabitants and movements) */
  rateReliable: boolean;
}

export interface Disclosure {
  minCount: number;
  /** indicator paths of the counts of 1 … minCount − 1 (shown "<5") */
  primary: string[];
  /** paths hidden so that those cannot be worked out, and figures derived from a hidden one (shown "x") */
  secondary: string[];
  /** paths of the categories of a breakdown published as its total only (shown "x", and may be 0): a breakdown of a
   * small area, or one whose only non-zero category is hidden, would tell a shared attribute of a few persons */
  withheld?: string[];
  rateMinPopulation: number;
  rateMinEvents: number;
}
