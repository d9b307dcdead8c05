/**
 * flows/flows-YEAR.csv.gz: one line per year × municipality × direction × component × nationality × sex, drawn as
 * single movements so that every margin adds up to the calibrated totals (the Flemish totals, the components' shares,
 * the named nationalities of 2024, the municipal profiles below).
 */
import { type Group, mergedInto, munis, must, nationalities } from "./codes.ts";
import type { Totals } from "./long-series.ts";
import { allocate, fail, type Random, signedAllocate } from "./random.ts";

export const DETAIL_YEARS = [2018, 2019, 2020, 2021, 2022, 2023, 2024];

// ---------------------------------------------------------------- municipal profiles
// attractiveness a (immigration per inhabitant) and balance intensity r, relative to the region.
const dutchBorder = (
  "Essen Kalmthout Wuustwezel Hoogstraten Baarle-Hertog Merksplas Ravels Arendonk Retie Mol Dessel Lommel " +
  "Hamont-Achel Pelt Bocholt Kinrooi Maaseik Dilsen-Stokkem Maasmechelen Lanaken Riemst Voeren Brecht Turnhout " +
  "Oud-Turnhout Beerse Rijkevorsel"
).split(" ");
const southWest = "Menen Wevelgem Kortrijk Wervik Heuvelland Mesen Poperinge Ieper Zonnebeke Spiere-Helkijn Kuurne";
const hot = new Set([...dutchBorder, ...southWest.split(" ")]);
export const NEGATIVE = ["Bertem", "Hoeilaart", "Zemst"];
export const ZERO = ["Herstappe", "Sint-Genesius-Rode", "Kraainem"];
const TOP = { Leuven: 4.2, Bekkevoort: 4.05 } as Record<string, number>;
for (const n of [...NEGATIVE, ...ZERO, ...Object.keys(TOP), ...hot]) must(n);

// ---------------------------------------------------------------- components and nationality targets
type Dir = "immigration" | "emigration";
const COMPONENTS: Record<Dir, string[]> = {
  immigration: ["strict", "re-registration", "from-waiting-register"],
  emigration: ["strict", "official-deletion", "to-waiting-register"],
};
// Shares (%) per year; 2018, 2019, 2023, 2024 as published.
const compShares: Record<number, Record<Dir, number[]>> = {
  2018: { immigration: [81, 11, 8], emigration: [63, 36.9, 0.1] },
  2019: { immigration: [85, 9, 6], emigration: [61, 38.9, 0.1] },
  2020: { immigration: [83, 10, 7], emigration: [58, 41.8, 0.2] },
  2021: { immigration: [82, 10, 8], emigration: [56, 43.8, 0.2] },
  2022: { immigration: [85, 7, 8], emigration: [55, 44.8, 0.2] },
  2023: { immigration: [81, 9, 10], emigration: [54, 45.7, 0.3] },
  // 2025: not published yet
  2025: { immigration: [81, 10, 9], emigration: [54, 45.7, 0.3] },
};
// 2024 exact: strict 80%, re-registrations 9%, from waiting register 11%; emigration 53% / 47% / 0.3%.
const comp2024: Record<Dir, number[]> = { immigration: [75_480, 8_512, 10_380], emigration: [32_460, 28_718, 184] };

// Named nationality counts for 2024 (the rest of each group is spread over the other nationalities).
const named2024: Record<Dir, Record<string, number>> = {
  immigration: {
    BE: 9_437,
    RO: 10_240,
    NL: 7_180,
    UA: 5_020,
    PL: 3_300,
    MA: 3_100,
    IN: 3_000,
    BG: 2_900,
    FR: 2_600,
    TR: 2_200,
    ES: 2_000,
    IT: 1_900,
    SY: 1_850,
    AF: 1_700,
    PT: 1_300,
    DE: 1_200,
    GB: 1_100,
    BR: 1_000,
    US: 900,
    HU: 900,
    GR: 700,
  },
  emigration: {
    BE: 15_958,
    RO: 7_900,
    NL: 5_100,
    PL: 2_800,
    BG: 2_400,
    FR: 2_300,
    UA: 2_050,
    IN: 1_800,
    ES: 1_500,
    IT: 1_300,
    MA: 1_000,
    PT: 1_000,
    DE: 1_000,
    TR: 900,
    GB: 800,
    US: 700,
    HU: 700,
    BR: 600,
    GR: 500,
    SY: 400,
    AF: 300,
  },
};
// Group totals 2024: immigration BE 10% / EU27 42% / non-EU 48%; balances −6,521 / +9,719 / +29,812.
const group2024: Record<Dir, Record<Group, number>> = {
  immigration: { BE: 9_437, EU27: 39_636, "non-EU": 45_299 },
  emigration: { BE: 15_958, EU27: 29_917, "non-EU": 15_487 },
};

/**
 * The flow tables' generator: `generate(year)` draws a year's table. The municipal profiles are drawn when it is made
 * (after the populations: the order of the draws is the data's).
 */
export function flowGenerator(rand: Random, o: { flanders: Totals; muniPop: Map<string, Map<number, number>> }) {
  const { flanders, muniPop } = o;
  const profile = drawProfiles(rand);
  const memo = new Map<string, number[]>();
  function natTotals(year: number, dir: Dir, total: number) {
    const k = `${year}|${dir}`;
    if (!memo.has(k)) memo.set(k, drawNationalities(rand, year, dir, total));
    return memo.get(k)!;
  }
  const flowFiles = new Map<number, string>();
  const muniTotals = new Map<string, { imm: number; em: number }>(); // over 2022–2024, for the checks
  /** A year's flow table; from 2025 on, each movement is registered under the code of the merged municipality. */
  function generateFlows(year: number): void {
    const [I, E] = flanders[year]!;
    const pops = munis.map((m) => muniPop.get(m.nis)!.get(year)!);
    const imm = allocate(
      I,
      munis.map((m, i) => pops[i]! * profile.get(m.nis)!.a),
    );
    // every municipality has some international migration each year (a year without any flow line is reported by
    // `check` as a warning, and real registers have none): the smallest get one immigration from the largest
    imm.forEach((v, i) => {
      if (v > 0) return;
      imm[imm.indexOf(Math.max(...imm))]! -= 1;
      imm[i] = 1;
    });
    const bal = signedAllocate(
      I - E,
      munis.map((m, i) => pops[i]! * profile.get(m.nis)!.r),
    );
    const em = imm.map((v, i) => v - bal[i]!);
    em.forEach((v, i) => {
      if (v < 0) fail(`negative emigration for ${munis[i]!.name} in ${year}`);
    });
    if (year >= 2022 && year <= 2024) {
      munis.forEach((m, i) => {
        const t = muniTotals.get(m.nis) ?? { imm: 0, em: 0 };
        t.imm += imm[i]!;
        t.em += em[i]!;
        muniTotals.set(m.nis, t);
      });
    }
    const cells = new Map<string, number>();
    for (const dir of ["immigration", "emigration"] as Dir[]) {
      const total = dir === "immigration" ? I : E;
      const nat = natTotals(year, dir, total);
      const recs = drawRecords(rand, year, dir, total, nat);
      // municipalities
      const perMuni = dir === "immigration" ? imm : em;
      rand.shuffle(recs);
      let k = 0;
      perMuni.forEach((count, m) => {
        for (let j = 0; j < count; j++) recs[k++]!.m = m;
      });
      for (const r of recs) {
        const nis = year >= 2025 ? (mergedInto.get(munis[r.m]!.nis) ?? munis[r.m]!.nis) : munis[r.m]!.nis;
        const key = `${nis},${dir},${COMPONENTS[dir][r.c]},${nationalities[r.n]!.code},${r.s}`;
        cells.set(key, (cells.get(key) ?? 0) + 1);
      }
    }
    const lines = [...cells.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, v]) => `${year},${k},${v}`);
    flowFiles.set(year, `${["year,nis,direction,component,nationality,sex,count", ...lines].join("\n")}\n`);
  }
  return { generate: generateFlows, flowFiles, muniTotals };
}

/** Each municipality's attractiveness a (immigration per inhabitant) and balance intensity r, relative to the region. */
function drawProfiles(rand: Random) {
  return new Map(
    munis.map((m) => {
      let r = rand.uniform(0.35, 1.25);
      if (hot.has(m.name)) r = rand.uniform(1.7, 2.6);
      if (["Antwerpen", "Gent", "Mechelen", "Brugge", "Hasselt", "Genk", "Oostende"].includes(m.name))
        r = rand.uniform(1.3, 1.8);
      if (TOP[m.name]) r = TOP[m.name]!;
      if (NEGATIVE.includes(m.name)) r = -rand.uniform(0.25, 0.45);
      if (ZERO.includes(m.name)) r = 0;
      const a = Math.max(rand.uniform(0.6, 1.4), 0.45 + 0.8 * Math.abs(r));
      return [m.nis, { a, r }];
    }),
  );
}

/** A year's movements of one direction by nationality, adding up to `total`: 2024 as published (the named
 * nationalities and the groups), the other years the 2024 profile with noise. */
function drawNationalities(rand: Random, year: number, dir: Dir, total: number): number[] {
  const named = named2024[dir];
  if (year === 2024) {
    const out = nationalities.map((n) => named[n.code] ?? 0);
    for (const g of ["BE", "EU27", "non-EU"] as Group[]) {
      const idx = nationalities.map((n, i) => [n, i] as const).filter(([n]) => n.group === g && !(n.code in named));
      const rest = group2024[dir][g] - nationalities.reduce((s, n, i) => s + (n.group === g ? out[i]! : 0), 0);
      if (rest < 0) fail(`named ${dir} counts exceed the ${g} total`);
      const w = idx.map(([n]) => (n.code === "XX" || n.code === "ZZ" ? 0.3 : 0.3 + rand.next() ** 3 * 6));
      allocate(rest, w).forEach((v, k) => {
        out[idx[k]![1]] = v;
      });
    }
    if (out.reduce((a, b) => a + b, 0) !== total) fail(`2024 ${dir} nationalities do not add up`);
    return out;
  }
  // Other years: the 2024 profile with noise; Ukrainians spike in 2022 (war in Ukraine).
  const base = drawNationalities(rand, 2024, dir, dir === "immigration" ? 94_372 : 61_362);
  const w = base.map((v, i) => {
    const code = nationalities[i]!.code;
    let f = rand.uniform(0.85, 1.15);
    if (code === "UA")
      f *= year === 2022 ? (dir === "immigration" ? 6.5 : 1.4) : year === 2023 ? 1.2 : year < 2022 ? 0.12 : 1;
    return Math.max(v, 1) * f;
  });
  return allocate(total, w);
}

/** One record per movement of a year and direction, with its nationality, sex and component (the municipality is
 * drawn after). */
function drawRecords(rand: Random, year: number, dir: Dir, total: number, nat: number[]) {
  // records: one per movement, each with nationality and sex
  const recs: { n: number; s: "M" | "F"; c: number; m: number }[] = [];
  nat.forEach((count, n) => {
    const code = nationalities[n]!.code;
    const menShare = code === "UA" ? (dir === "immigration" ? 0.36 : 0.4) : rand.uniform(0.53, 0.62);
    const men = Math.round(count * menShare);
    for (let k = 0; k < count; k++) recs.push({ n, s: k < men ? "M" : "F", c: 0, m: 0 });
  });
  // components: waiting-register transfers concern non-EU nationals (asylum seekers) only
  const comps =
    year === 2024
      ? comp2024[dir]
      : allocate(
          total,
          compShares[year]![dir].map((s) => s * 1000),
        );
  const [strict, second, waiting] = comps as [number, number, number];
  rand.shuffle(recs);
  let w = waiting;
  for (const r of recs) {
    if (w > 0 && nationalities[r.n]!.group === "non-EU") {
      r.c = 2;
      w--;
    }
  }
  if (w > 0) fail(`not enough non-EU ${dir} for waiting-register transfers in ${year}`);
  let s = strict;
  for (const r of recs) {
    if (r.c === 2) continue;
    r.c = s > 0 ? 0 : 1;
    if (s > 0) s--;
  }
  if (recs.filter((r) => r.c === 1).length !== second) fail(`component totals in ${year}`);
  return recs;
}
