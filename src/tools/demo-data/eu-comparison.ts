/**
 * eu-comparison.csv and codes/eu-geo.csv: immigrations and populations of the EU member states, the EU27 and
 * Belgium's regions on Eurostat's definition, 2019–2024, around the 2023 rates Eurostat published.
 */
import { nameEn, nameNl } from "./codes.ts";
import type { Random } from "./random.ts";

// 2023 rates per 1,000 (Flemish Region 10.1, EU27 13.2, Belgium 14.4, Brussels 56.1 as published).
const EU_POP: Record<string, number> = {
  AT: 9.13,
  BE: 11.79,
  BG: 6.45,
  HR: 3.86,
  CY: 0.93,
  CZ: 10.86,
  DK: 5.94,
  EE: 1.37,
  FI: 5.58,
  FR: 68.2,
  DE: 84.5,
  EL: 10.4,
  HU: 9.58,
  IE: 5.27,
  IT: 58.99,
  LV: 1.88,
  LT: 2.86,
  LU: 0.66,
  MT: 0.55,
  NL: 17.9,
  PL: 36.7,
  PT: 10.5,
  RO: 19.05,
  SK: 5.43,
  SI: 2.12,
  ES: 48.3,
  SE: 10.55,
};
const EU_RATE_2023: Record<string, number> = {
  AT: 16.5,
  BE: 14.4,
  BG: 5.7,
  HR: 17.7,
  CY: 33.0,
  CZ: 12.9,
  DK: 13.0,
  EE: 14.1,
  FI: 10.9,
  FR: 6.0,
  DE: 14.5,
  EL: 12.4,
  HU: 8.3,
  IE: 27.2,
  IT: 7.5,
  LV: 7.0,
  LT: 19.6,
  LU: 38.4,
  MT: 61.8,
  NL: 17.6,
  PL: 5.8,
  PT: 18.5,
  RO: 11.4,
  SK: 1.5,
  SI: 17.8,
  ES: 27.6,
  SE: 9.1,
};
export const YEAR_FACTOR: Record<number, number> = { 2019: 0.95, 2020: 0.74, 2021: 0.86, 2022: 1.12, 2023: 1 };
/** The rows of eu-comparison.csv: `year(y, f)` adds a year whose rates are 2023's times about f. */
export function euComparison(rand: Random) {
  const euRows = ["year,geo,immigrations,population"];
  function euYear(year: number, f: number): void {
    const row = (geo: string, imm: number, pop: number) => euRows.push(`${year},${geo},${imm},${pop}`);
    const popOfGeo = (geo: string) => Math.round(EU_POP[geo]! * 1e6 * (1 + 0.003 * (year - 2023)));
    for (const geo of Object.keys(EU_POP).sort()) {
      if (geo === "BE") continue;
      const p = popOfGeo(geo);
      row(geo, Math.round((EU_RATE_2023[geo]! * (year === 2023 ? 1 : f * rand.uniform(0.93, 1.07)) * p) / 1000), p);
    }
    const euPop = Math.round(449.2e6 * (1 + 0.002 * (year - 2023)));
    row("EU27_2020", Math.round((13.2 * f * euPop) / 1000) + (year === 2023 ? 0 : 0), euPop);
    const bePop = popOfGeo("BE");
    const fPop = Math.round(6_800_000 * (1 + 0.007 * (year - 2023)));
    const bPop = Math.round(1_240_000 * (1 + 0.006 * (year - 2023)));
    const beImm = Math.round((14.4 * f * bePop) / 1000);
    const fImm = Math.round((10.1 * f * fPop) / 1000);
    const bImm = Math.round((56.1 * f * bPop) / 1000);
    row("BE", beImm, bePop);
    row("BE1", bImm, bPop);
    row("BE2", fImm, fPop);
    row("BE3", beImm - bImm - fImm, bePop - bPop - fPop);
  }
  return { euRows, euYear };
}

/** codes/eu-geo.csv */
export function euGeoCsv() {
  const euGeo = [
    "geo,kind,name_en,name_nl",
    ...Object.keys(EU_POP)
      .sort()
      .map((g) => {
        const iso = g === "EL" ? "GR" : g;
        return `${g},country,${nameEn.of(iso)},${nameNl.of(iso)}`;
      }),
    "EU27_2020,aggregate,European Union (EU27),Europese Unie (EU27)",
    "BE1,region,Brussels-Capital Region,Brussels Hoofdstedelijk Gewest",
    "BE2,region,Flemish Region,Vlaams Gewest",
    "BE3,region,Walloon Region,Waals Gewest",
  ];
  return `${euGeo.join("\n")}\n`;
}
