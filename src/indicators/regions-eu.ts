import { NUTS_OF_REGION } from "../core/domain.ts";
import { populationOf } from "./aggregate.ts";
import type { SectionInput } from "./sections.ts";
import { MUCH_HIGHER_FACTOR, muchHigher, type Point, STEADY_MAX, shapeOf, VARIABLE_MIN } from "./trends.ts";
import type { EuValue, Indicators } from "./types.ts";

/*
 * Sections 6 and 7: the three regions' balances per 1,000 inhabitants with what the shapes of their rates allow the
 * text to say (trends.ts), and the EU comparison on Eurostat's figures.
 */

/** 6. The three regions: the balance per 1,000 inhabitants (mean of the populations on 1 January of the year and the
 * next), and the statements about the shapes of the rates (trends.ts). */
export function regionsSection(c: SectionInput): Indicators["regions"] {
  const { ds } = c;
  const regionCodes = [...new Set(ds.longSeries.rows.map((r) => r.region as string))].sort();
  const popOf = populationOf(ds.population);
  const regionSeries = regionCodes.flatMap((reg) =>
    c.seriesOf(reg).map((s) => {
      const population = ((popOf.get(`${s.year}|${reg}`) ?? 0) + (popOf.get(`${s.year + 1}|${reg}`) ?? 0)) / 2;
      return {
        year: s.year,
        region: reg,
        immigration: s.immigration,
        emigration: s.emigration,
        balance: s.balance,
        breakInSeries: s.breakInSeries,
        population,
        ratePer1000: population ? (s.balance / population) * 1000 : 0,
      };
    }),
  );
  const positiveSince: Record<string, number | null> = {};
  const ratePoints: Record<string, Point[]> = {};
  for (const reg of regionCodes) {
    const s = regionSeries.filter((r) => r.region === reg);
    let since: number | null = null;
    for (let i = s.length - 1; i >= 0 && s[i]!.balance > 0; i--) since = s[i]!.year;
    positiveSince[reg] = since;
    ratePoints[reg] = s.map((r) => ({ year: r.year, value: r.ratePer1000, break: r.breakInSeries }));
  }
  const shapes = Object.fromEntries(regionCodes.map((reg) => [reg, shapeOf(ratePoints[reg]!)]));
  return {
    series: regionSeries,
    positiveSince,
    first: Math.min(...regionSeries.map((r) => r.year)),
    shapes,
    steadyRise: regionCodes.filter((r) => shapes[r]!.steadyRise),
    risingWithFalls: regionCodes.filter((r) => shapes[r]!.risingWithFalls),
    highlyVariable: regionCodes.filter((r) => shapes[r]!.highlyVariable),
    muchHigher: muchHigher(ratePoints),
    thresholds: { steadyMax: STEADY_MAX, variableMin: VARIABLE_MIN, muchHigherFactor: MUCH_HIGHER_FACTOR },
  };
}

/** 7. The EU comparison: the latest year before the edition's year with the region present. */
export function euSection(c: SectionInput): Indicators["eu"] {
  const { ds, year, area } = c;
  const regionGeo =
    NUTS_OF_REGION[area.level === "region" || area.level === "country" ? area.nis : area.region] ?? area.region;
  // rows with both figures (an empty cell is Eurostat's `:`, not available)
  const euComplete = ds.euComparison.rows.filter((r) => r.immigrations !== undefined && r.population !== undefined);
  const euYears = [
    ...new Set(
      euComplete
        // Eurostat publishes a year about 18 months after it ends: the edition compares the latest year before its own
        .filter((r) => r.geo === regionGeo && (r.year as number) < year)
        .map((r) => r.year as number),
    ),
  ];
  const euYear = euYears.length ? Math.max(...euYears) : null;
  const kindOf = new Map(ds.euGeo.rows.map((r) => [r.geo as string, r.kind as EuValue["kind"]]));
  const letters = (s: string) => [...new Set(s)].sort().join("");
  const euRows: EuValue[] = euComplete
    .filter((r) => r.year === euYear)
    .map((r) => ({
      geo: r.geo as string,
      kind: kindOf.get(r.geo as string) ?? "country",
      immigrations: r.immigrations as number,
      population: r.population as number,
      ratePer1000: ((r.immigrations as number) / (r.population as number)) * 1000,
      immigrationsFlag: (r.immigrations_flag as string | undefined) ?? "",
      populationFlag: (r.population_flag as string | undefined) ?? "",
      flags: letters(`${r.immigrations_flag ?? ""}${r.population_flag ?? ""}`),
    }))
    .sort((a, b) => b.ratePer1000 - a.ratePer1000 || a.geo.localeCompare(b.geo));
  euRows
    .filter((r) => r.kind === "country")
    .forEach((r, i) => {
      r.rank = i + 1;
    });
  return {
    year: euYear,
    flags: letters(euRows.map((r) => r.flags).join("")),
    rows: euRows,
    regionGeo,
    countries: euRows.filter((r) => r.kind === "country").length,
  };
}
