import { type AreaLevel, SECTION_IDS, type SectionId } from "../core/domain.ts";
import type { Row } from "../data/csv.ts";
import type { Datasets } from "../data/read-datasets.ts";
import { problem } from "../errors/messages.ts";
import type { Problem } from "../errors/problem.ts";
import type { Label } from "./types.ts";

/** The area an edition is about: a NIS code of any level the code lists describe, with its municipalities. */
export interface Area {
  nis: string;
  level: AreaLevel;
  label: Label;
  /** the region it lies in (itself for a region) */
  region: string;
  /** the municipalities it covers (rows of data/codes/municipalities.csv) */
  municipalities: Row[];
}

/**
 * The sections an edition of an area carries. A region (or the country) has the whole bulletin; a province or an
 * arrondissement the sections its municipalities' flows can tell (no long series since 1990, no regional or
 * European comparison of its own).
 */
export function sectionsFor(level: AreaLevel): readonly SectionId[] {
  return level === "region" || level === "country" ? SECTION_IDS : SECTION_IDS.slice(0, 5);
}

/** The municipalities of the region in the tables (on the edition's geography), or of one of its areas. */
export function municipalitiesOf(ds: Pick<Datasets, "municipalities">, region: string, within?: string): string[] {
  return ds.municipalities.rows
    .filter((m) => m.region === region && (!within || m.province === within || m.arrondissement === within))
    .map((m) => m.nis as string);
}

const COLUMN: Partial<Record<AreaLevel, string>> = {
  region: "region",
  province: "province",
  arrondissement: "arrondissement",
};

/** Finds `nis` in the code lists; a problem (located in areas.csv) when it is unknown or cannot have an edition. */
export function resolveArea(ds: Pick<Datasets, "areas" | "municipalities">, nis: string): Area | Problem {
  const row = ds.areas.rows.find((r) => r.nis === nis);
  const muni = ds.municipalities.rows.find((m) => m.nis === nis);
  // a municipality: its own edition (templates/narrative/<lang>/municipal/, with disclosure control)
  if (muni)
    return {
      nis,
      level: "municipality",
      label: { nl: muni.name_nl as string, en: muni.name_nl as string },
      region: muni.region as string,
      municipalities: [muni],
    };
  if (!row) return problem("unknown-area", { file: ds.areas.file }, { nis, known: ds.areas.rows.map((r) => r.nis) });
  const level = row.level as AreaLevel;
  const column = COLUMN[level];
  // the country is not covered: the flow tables hold one region's municipalities
  const municipalities = column ? ds.municipalities.rows.filter((m) => m[column] === nis) : [];
  if (!municipalities.length) return problem("empty-area", { file: ds.areas.file, line: row.line }, { nis, level });
  const region = municipalities[0]!.region as string;
  return {
    nis,
    level,
    label: { nl: row.name_nl as string, en: row.name_en as string },
    region,
    municipalities,
  };
}

export const isProblem = (x: Area | Problem): x is Problem => "rule" in x;
