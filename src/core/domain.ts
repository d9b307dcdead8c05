/**
 * The domain's fixed vocabulary, written once: languages, directions, components, nationality groups, the sections
 * of the bulletin, area levels and the Belgian regions. Every stage takes these from here.
 */
export const LANGS = ["nl", "en"] as const;
export type Lang = (typeof LANGS)[number];

export const DIRECTIONS = ["immigration", "emigration"] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** The three components of each side (data/codes/components.csv must hold them). */
export const COMPONENTS: Record<Direction, readonly string[]> = {
  immigration: ["strict", "re-registration", "from-waiting-register"],
  emigration: ["strict", "official-deletion", "to-waiting-register"],
};

/** Nationality groups: Belgian, EU27 (the member states since 2020, without Belgium), everything else. */
export const GROUPS = ["BE", "EU27", "non-EU"] as const;
export type Group = (typeof GROUPS)[number];
/** the EU27 composition used for the nationality groups (the member states since this year) */
export const EU27_SINCE = 2020;

/** The sections of the bulletin, in order; the same ids name templates, notes, figures and output files. */
export const SECTION_IDS = [
  "headline",
  "components",
  "nationality-groups",
  "top-nationalities",
  "municipalities",
  "regions",
  "eu-comparison",
] as const;
export type SectionId = (typeof SECTION_IDS)[number];

/**
 * Where each figure's data come from: the National Register (Statbel) or Eurostat. Each figure credits only its own
 * sources (labels `source_<id>` in templates/locales).
 */
export const FIGURE_SOURCES: Readonly<Record<SectionId, readonly ("register" | "eurostat")[]>> = {
  headline: ["register"],
  components: ["register"],
  "nationality-groups": ["register"],
  "top-nationalities": ["register"],
  municipalities: ["register"],
  regions: ["register"],
  "eu-comparison": ["eurostat"],
};

/** Levels of the areas in data/codes/areas.csv (a municipality's own level comes from municipalities.csv). */
export const AREA_LEVELS = ["country", "region", "province", "arrondissement", "municipality"] as const;
export type AreaLevel = (typeof AREA_LEVELS)[number];

/** Region NIS code → Eurostat NUTS-1 code for the EU comparison. */
export const NUTS_OF_REGION: Readonly<Record<string, string>> = {
  "01000": "BE",
  "02000": "BE2",
  "03000": "BE3",
  "04000": "BE1",
};

/** An edition is a value: one observation year, one area (a NIS code of any level the data describe), one language. */
export interface EditionKey {
  year: number;
  area: string;
  lang: Lang;
}
