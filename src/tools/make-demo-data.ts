/**
 * Generates the SYNTHETIC demonstration data in data/ (deterministic, seeded).
 *
 * Real data at this grain (year × municipality × component × nationality × sex) is not public, so this
 * script builds a plausible stand-in, calibrated so that the published headline figures of Statistiek
 * Vlaanderen's "International migration" editions (2018–2024) come out of the tables, worded as published.
 * Names, NIS codes and the 2020 population base of the municipalities are real facts, read from
 * ../shared/reference (Statbel REFNIS 2019 and population on 1 Jan 2020); everything else is invented.
 *
 * One generator per table, in src/tools/demo-data/: codes.ts (the code lists), long-series.ts, population.ts,
 * flows.ts, eu-comparison.ts; checks.ts holds the generated data to the statements of the seed. The draws come from
 * one seeded stream in a fixed order (and a second one for 2025), so this file calls them in that order.
 *
 * Run: npm run demo-data (src/tools/make-demo-data.ts)   (rewrites data/; same seed → same bytes)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { checkMunicipalities, checkRegions } from "./demo-data/checks.ts";
import {
  areasCsv,
  componentsCsv,
  crosswalkCsv,
  municipalitiesCsv,
  munis,
  nationalities,
  nationalitiesCsv,
} from "./demo-data/codes.ts";
import { euComparison, euGeoCsv, YEAR_FACTOR } from "./demo-data/eu-comparison.ts";
import { DETAIL_YEARS, flowGenerator } from "./demo-data/flows.ts";
import { regionalTotals, regionalTotals2025 } from "./demo-data/long-series.ts";
import { populations, populations2025 } from "./demo-data/population.ts";
import { Random } from "./demo-data/random.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const dataDir = join(root, "data");

// 2018–2024, from the first stream
const rand = new Random(20250715);
const totals = regionalTotals(rand);
const pop = populations(rand);
const flows = flowGenerator(rand, { flanders: totals.flanders, muniPop: pop.muniPop });
for (const year of DETAIL_YEARS) flows.generate(year);
checkRegions({ ...totals, regionPop: pop.regionPop });
const rates = checkMunicipalities({ muniTotals: flows.muniTotals, muniPop: pop.muniPop });
const eu = euComparison(rand);
for (const [y, f] of Object.entries(YEAR_FACTOR)) eu.euYear(Number(y), f);

// 2025: the first year of the merged municipalities, from a second stream, so the years before are exactly as they
// were. No figures of 2025 are published yet: nothing is calibrated to a published value, except the populations of
// 1 January 2025 and 2026.
rand.reseed(20260715);
regionalTotals2025(rand, totals);
flows.generate(2025);
populations2025(pop);
eu.euYear(2024, 0.98);

const write = (rel: string, text: string | Buffer) => {
  const file = join(dataDir, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
};
write("codes/municipalities.csv", municipalitiesCsv());
write("codes/areas.csv", areasCsv());
write("codes/nationalities.csv", nationalitiesCsv());
write("codes/components.csv", componentsCsv());
write("codes/eu-geo.csv", euGeoCsv());
write("codes/crosswalk.csv", crosswalkCsv());
write("long-series.csv", `${totals.longRows.join("\n")}\n`);
write("population.csv", `${pop.popRows.join("\n")}\n`);
write("eu-comparison.csv", `${eu.euRows.join("\n")}\n`);
for (const [year, text] of flows.flowFiles) write(`flows/flows-${year}.csv.gz`, gzipSync(text, { level: 9 }));
console.log(
  `wrote data/: ${munis.length} municipalities, ${nationalities.length} nationalities, ` +
    `${[...flows.flowFiles.values()].reduce((s, t) => s + t.split("\n").length - 2, 0)} flow rows in ${flows.flowFiles.size} years; ` +
    `top rates: ${rates
      .slice(0, 4)
      .map((r) => `${r.name} ${r.rate.toFixed(1)}`)
      .join(", ")}`,
);
