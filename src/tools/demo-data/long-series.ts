/**
 * long-series.csv: immigration and emigration of the three regions, 1990–2025. The Flemish totals are calibrated to
 * the published headline figures (2010, 2018–2024); the rest is drawn.
 */
import { fail, type Random } from "./random.ts";

export const FIRST_YEAR = 1990;
export const LAST_YEAR = 2024;

export type Totals = Record<number, [number, number]>;

/** The Walloon Region's year: a balance rising by 300 a year from +1,500 in 1990, with its shock of the year. */
function wallonia(rand: Random, y: number, shock: number): [number, number] {
  const k = y - FIRST_YEAR;
  const wi = Math.round((14_000 + k * 750) * rand.uniform(0.97, 1.03));
  const wb = 1_500 + k * 300 + Math.round(rand.uniform(-250, 250)) + shock;
  return [wi, wi - wb];
}

/** The Brussels-Capital Region's year where Belgium's totals are not published: a rising, very variable balance. */
function brussels(rand: Random, y: number, factor: number): [number, number] {
  const k = y - FIRST_YEAR;
  const bi = Math.round((20_000 + k * 900) * rand.uniform(0.95, 1.05));
  const bb = Math.round((5_000 + k * 450) * rand.uniform(0.55, 1.45) * factor);
  return [bi, bi - bb];
}

/** The regions' totals of 1990–2024 and their rows. */
export function regionalTotals(rand: Random) {
  // Flemish Region totals per year. Published: 2018 "iets meer dan 74.000"/"bijna 50.000"/24.900;
  // 2019 "just over 80,000"/"almost 52,000"/28,500; 2010 balance 34,396; 2021 77,700/47,600/30,200;
  // 2023 94,700/60,500/34,200; 2024 "nearly 94,400"/"nearly 61,400"/"approximately 33,000".
  const flanders: Record<number, [number, number]> = {
    2010: [72_815, 38_419], // balance 34,396 exactly (published)
    2018: [74_420, 49_520],
    2019: [80_420, 51_921],
    2020: [67_934, 48_205],
    2021: [77_748, 47_571],
    2022: [111_842, 55_317],
    2023: [94_712, 60_489],
    2024: [94_372, 61_362],
  };
  for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) {
    if (flanders[y]) continue;
    // 1990s around +5,000; sharp rise from 2001 (before the 2010 break); 2011–2017 plausible.
    const imm =
      y < 2001 ? 31_000 + (y - 1990) * 650 : y < 2010 ? 39_000 + (y - 2001) * 3_300 : 62_000 + (y - 2011) * 1_450;
    const bal =
      y < 2001
        ? 5_000 + Math.round(rand.uniform(-900, 900))
        : y < 2010
          ? 8_500 + (y - 2001) * 2_300 + Math.round(rand.uniform(-600, 600))
          : [0, 26_100, 21_800, 17_900, 18_600, 24_700, 19_400, 21_300][y - 2010]!;
    const i = Math.round(imm * rand.uniform(0.98, 1.02));
    flanders[y] = [i, i - bal];
  }
  // The 1990s averaged "around +5,000": pin the decade's mean balance to 5,010 by adjusting 1999's emigration.
  {
    const nineties = Array.from({ length: 10 }, (_, k) => flanders[1990 + k]!);
    const sum = nineties.reduce((s, [i, e]) => s + i - e, 0);
    const last = flanders[1999]!;
    flanders[1999] = [last[0], last[1] + sum - 50_100];
  }
  // Belgium totals (Statbel, published where known); the rest of Belgium is split between Brussels and Wallonia.
  const belgium: Record<number, [number, number]> = {
    2015: [158_049, 110_367],
    2017: [163_918, 119_382],
    2021: [165_534, 107_416],
    2022: [233_629, 117_085],
    2023: [194_887, 128_538],
    2024: [194_212, 128_168],
  };
  const longRows: string[] = ["year,region,direction,count,break_in_series"];
  const regionTotals: Record<string, Record<number, [number, number]>> = {
    "02000": flanders,
    "03000": {},
    "04000": {},
  };
  // Walloon Region: a balance that rises steadily (+300 a year from +1,500 in 1990), small shocks in the break year
  // 2010, the COVID-19 year 2020 and the Ukrainian year 2022. Brussels-Capital Region: the rest of Belgium where
  // Belgium's totals are published, else a rising but very variable balance (±45% around its trend). These are
  // the seed's statements for figure 6 (steady in Flanders and Wallonia; much higher per 1,000 and variable in
  // Brussels), which the indicators recompute and the generator checks below.
  const walloonShock: Record<number, number> = { 2010: 3_000, 2020: -1_500, 2022: 4_000 };
  for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) {
    const [fi, fe] = flanders[y]!;
    const wa = wallonia(rand, y, walloonShock[y] ?? 0);
    const be = belgium[y];
    const br: [number, number] = be
      ? [be[0] - fi - wa[0], be[1] - fe - wa[1]]
      : brussels(rand, y, y === 2010 ? 1.5 : 1);
    if (br[0] - br[1] <= 0 || wa[0] - wa[1] <= 0 || br[1] <= 0) fail(`non-positive regional balance in ${y}`);
    regionTotals["04000"]![y] = br;
    regionTotals["03000"]![y] = wa;
    for (const [reg, [i, e]] of [
      ["02000", [fi, fe]],
      ["03000", wa],
      ["04000", br],
    ] as const) {
      const brk = y === 2010 ? 1 : 0;
      longRows.push(`${y},${reg},immigration,${i},${brk}`, `${y},${reg},emigration,${e},${brk}`);
    }
  }
  return { flanders, regionTotals, longRows };
}

/**
 * 2025, the first year of the merged municipalities: no figures of 2025 are published yet, so nothing here is
 * calibrated to a published value. Drawn from the second random stream.
 */
export function regionalTotals2025(rand: Random, t: ReturnType<typeof regionalTotals>) {
  const { flanders, regionTotals, longRows } = t;
  const y = 2025;
  flanders[y] = [92_940, 62_580];
  const totals: [string, [number, number]][] = [
    ["02000", flanders[y]],
    ["03000", wallonia(rand, y, 0)],
    ["04000", brussels(rand, y, 1)],
  ];
  for (const [reg, [i, e]] of totals) {
    regionTotals[reg]![y] = [i, e];
    longRows.push(`${y},${reg},immigration,${i},0`, `${y},${reg},emigration,${e},0`);
  }
}
