/**
 * The demonstration data checked against what the bulletin says of them, through the program's own rules
 * (src/indicators/trends.ts): a generator change that breaks a statement of the seed fails here, not in an edition.
 */
import { muchHigher, type Point, riseOnset, shapeOf } from "../../indicators/trends.ts";
import { munis } from "./codes.ts";
import { NEGATIVE, ZERO } from "./flows.ts";
import { FIRST_YEAR, LAST_YEAR, type Totals } from "./long-series.ts";
import { fail } from "./random.ts";

/** Figures 1 and 6: the Flemish rise from 2001; Flanders and Wallonia rising, Brussels much higher and variable. */
export function checkRegions(o: {
  flanders: Totals;
  regionTotals: Record<string, Totals>;
  regionPop: (reg: string, y: number) => number;
}) {
  const { flanders, regionTotals, regionPop } = o;
  const rate = (reg: string, y: number) => {
    const [i, e] = regionTotals[reg]![y]!;
    return ((i - e) / ((regionPop(reg, y) + regionPop(reg, y + 1)) / 2)) * 1000;
  };
  const pts: Record<string, Point[]> = {};
  for (const reg of ["02000", "03000", "04000"]) {
    pts[reg] = [];
    for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) pts[reg]!.push({ year: y, value: rate(reg, y), break: y === 2010 });
  }
  const flemish = Array.from({ length: LAST_YEAR - FIRST_YEAR + 1 }, (_, k) => {
    const [i, e] = flanders[FIRST_YEAR + k]!;
    return { year: FIRST_YEAR + k, value: i - e, break: FIRST_YEAR + k === 2010 };
  });
  if (riseOnset(flemish)?.year !== 2001) fail(`the Flemish rise starts in ${riseOnset(flemish)?.year}, not 2001`);
  // Flanders and Wallonia rise over the period; the published figures fall after 2022, so the text says "with falls"
  // rather than "steadily" (issue #30): the data are not bent to a word
  for (const reg of ["02000", "03000"]) if (!(shapeOf(pts[reg]!).slope > 0)) fail(`${reg} does not rise`);
  if (!shapeOf(pts["04000"]!).highlyVariable) fail("Brussels is not highly variable");
  if (muchHigher(pts) !== "04000") fail("Brussels is not much higher per 1,000");
}

/** The municipal map: the municipalities of negative and zero balance, and the two above 20 per 1,000. Returns the
 * municipalities by rate, highest first. */
export function checkMunicipalities(o: {
  muniTotals: Map<string, { imm: number; em: number }>;
  muniPop: Map<string, Map<number, number>>;
}) {
  const { muniTotals, muniPop } = o;
  const period = [2022, 2023, 2024];
  const rates = munis
    .map((m) => {
      const t = muniTotals.get(m.nis)!;
      const avgPop = (period.reduce((s, y) => s + muniPop.get(m.nis)!.get(y)!, 0) + muniPop.get(m.nis)!.get(2025)!) / 4;
      return { name: m.name, bal: t.imm - t.em, rate: ((t.imm - t.em) / period.length / avgPop) * 1000 };
    })
    .sort((a, b) => b.rate - a.rate);
  const neg = rates
    .filter((r) => r.bal < 0)
    .map((r) => r.name)
    .sort();
  const zero = rates
    .filter((r) => r.bal === 0)
    .map((r) => r.name)
    .sort();
  if (neg.join() !== [...NEGATIVE].sort().join()) fail(`negative municipalities: ${neg.join(", ")}`);
  if (zero.join() !== [...ZERO].sort().join()) fail(`zero municipalities: ${zero.join(", ")}`);
  const above20 = rates.filter((r) => r.rate > 20).map((r) => r.name);
  if (above20.sort().join() !== "Bekkevoort,Leuven")
    fail(`above 20 per 1,000: ${above20.join(", ")}; top: ${JSON.stringify(rates.slice(0, 4))}`);
  return rates;
}
