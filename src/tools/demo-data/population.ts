/**
 * population.csv: the population on 1 January of the regions (1990–2026) and of the municipalities (2018–2026). The
 * municipal populations grow from their real 1 January 2020 figures (Statbel) at drawn rates; 1 January 2025 is scaled
 * to Statbel's published Flemish total.
 */
import { mergedInto, munis, must } from "./codes.ts";
import { FIRST_YEAR, LAST_YEAR } from "./long-series.ts";
import type { Random } from "./random.ts";

export const POP_YEARS = [2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025];

/** The populations of 1990–2025 (the municipalities in their 2019–2024 codes) and their rows. */
export function populations(rand: Random) {
  const growth = new Map(munis.map((m) => [m.nis, rand.uniform(0.002, 0.011)]));
  const popOf = (nis: string, year: number) => {
    const m = munis.find((x) => x.nis === nis)!;
    return Math.round(m.pop2020 * (1 + growth.get(nis)!) ** (year - 2020));
  };
  const popRows = ["year,nis,population,geography"];
  const muniPop = new Map<string, Map<number, number>>();
  for (const m of munis) {
    const row = new Map<number, number>();
    for (const y of POP_YEARS) row.set(y, popOf(m.nis, y));
    muniPop.set(m.nis, row);
  }
  // 1 January 2025: the Flemish Region had 6,864,766 inhabitants (Statbel); the synthetic municipal populations of that
  // day are scaled to it (Antwerpen takes the rounding), and those of 1 January 2026 grow on from there
  const FLEMISH_2025 = 6_864_766;
  {
    const sum = munis.reduce((s, m) => s + muniPop.get(m.nis)!.get(2025)!, 0);
    let total = 0;
    for (const m of munis) {
      const row = muniPop.get(m.nis)!;
      row.set(2025, Math.round((row.get(2025)! * FLEMISH_2025) / sum));
      total += row.get(2025)!;
    }
    const antwerpen = muniPop.get(must("Antwerpen").nis)!;
    antwerpen.set(2025, antwerpen.get(2025)! + FLEMISH_2025 - total);
    for (const m of munis) {
      const row = muniPop.get(m.nis)!;
      row.set(2026, Math.round(row.get(2025)! * (1 + growth.get(m.nis)!)));
    }
  }
  // Belgium on 1 January 2025 and 2026 (Statbel); Wallonia and Brussels share what Flanders leaves by their trends
  const BELGIUM_POP: Record<number, number> = { 2025: 11_825_551, 2026: 11_867_634 };
  // The regions' populations on 1 January of every year of the long series and the year after (figure 6 is per 1,000
  // inhabitants). From 2018 on: Flanders is the sum of its municipalities (real 2020 base, synthetic growth), Wallonia
  // and Brussels grow from their real 1 January 2020 populations. Before 2018: close to Statbel's published
  // populations of 1 January 1990, 2000 and 2010 (rounded anchors, not official), linearly interpolated between.
  const REGION_ANCHORS: Record<string, Record<number, number>> = {
    "02000": { 1990: 5_739_700, 2000: 5_940_300, 2010: 6_252_000 },
    "03000": { 1990: 3_243_700, 2000: 3_339_500, 2010: 3_498_400 },
    "04000": { 1990: 964_400, 2000: 959_300, 2010: 1_089_500 },
  };
  const regionPop = (reg: string, y: number): number => {
    if (y >= 2018) {
      if (reg === "02000") return munis.reduce((s, m) => s + muniPop.get(m.nis)!.get(y)!, 0);
      const trend = (r: string) => (r === "03000" ? 3_645_243 * 1.004 ** (y - 2020) : 1_218_255 * 1.006 ** (y - 2020));
      const be = BELGIUM_POP[y];
      if (!be) return Math.round(trend(reg));
      const rest = be - regionPop("02000", y);
      const wa = Math.round((rest * trend("03000")) / (trend("03000") + trend("04000")));
      return reg === "03000" ? wa : rest - wa;
    }
    const a = REGION_ANCHORS[reg]!;
    const pts = [...Object.entries(a).map(([k, v]) => [Number(k), v] as const), [2018, regionPop(reg, 2018)] as const];
    const i = pts.findIndex(([k]) => k > y);
    const [y0, v0] = pts[i - 1]!;
    const [y1, v1] = pts[i]!;
    return Math.round(v0 + ((v1 - v0) * (y - y0)) / (y1 - y0));
  };
  for (let y = FIRST_YEAR; y <= LAST_YEAR + 1; y++) {
    for (const reg of ["02000", "03000", "04000"]) popRows.push(`${y},${reg},${regionPop(reg, y)},`);
    // 1 January 2025 in the municipalities of 2024 (the end-of-year stock the 2024 edition's rates need); the same day
    // in the municipalities of 2025 is written with the 2025 data below
    if (POP_YEARS.includes(y))
      for (const m of munis) popRows.push(`${y},${m.nis},${muniPop.get(m.nis)!.get(y)},${y === 2025 ? 2024 : ""}`);
  }
  return { muniPop, regionPop, popRows };
}

/** The rows of 1 January 2025 and 2026 in the municipalities of 2025 (the parts of a merged one added up). */
export function populations2025(p: ReturnType<typeof populations>) {
  const { muniPop, regionPop, popRows } = p;
  // populations in the municipalities of 2025: 1 January 2025 (the parts added up) and 1 January 2026
  for (const year of [2025, 2026]) {
    const byNew = new Map<string, number>();
    for (const m of munis) {
      const nis = mergedInto.get(m.nis) ?? m.nis;
      byNew.set(nis, (byNew.get(nis) ?? 0) + muniPop.get(m.nis)!.get(year)!);
    }
    if (year === 2026)
      for (const reg of ["02000", "03000", "04000"]) popRows.push(`${year},${reg},${regionPop(reg, year)},`);
    for (const [nis, p] of [...byNew].sort()) popRows.push(`${year},${nis},${p},`);
  }
}
