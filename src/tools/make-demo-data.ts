/**
 * Generates the SYNTHETIC demonstration data in data/ (deterministic, seeded).
 *
 * Real data at this grain (year × municipality × component × nationality × sex) is not public, so this
 * script builds a plausible stand-in, calibrated so that the published headline figures of Statistiek
 * Vlaanderen's "International migration" editions (2018–2024) come out of the tables, worded as published.
 * Names, NIS codes and the 2020 population base of the municipalities are real facts, read from
 * ../shared/reference (Statbel REFNIS 2019 and population on 1 Jan 2020); everything else is invented.
 *
 * Run: npm run demo-data (src/tools/make-demo-data.ts)   (rewrites data/; same seed → same bytes)
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { muchHigher, type Point, riseOnset, shapeOf } from "../indicators/trends.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const refDir = resolve(root, "../shared/reference/statbel-refnis2019-pop2020-bmesuere");
const dataDir = join(root, "data");

// ---------------------------------------------------------------- seeded randomness
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
// the 2025 data are drawn from a second stream (see "2025" below), so adding them left every earlier value unchanged
let rng = mulberry32(20250715);
const uniform = (lo: number, hi: number) => lo + (hi - lo) * rng();
function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
}

/** Integer allocation of `total` proportional to `weights` (largest remainder); sums exactly to total. */
function allocate(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map(() => 0);
  const raw = weights.map((w) => (total * w) / sum);
  const out = raw.map((r) => Math.floor(r));
  let rest = total - out.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; rest > 0; k = (k + 1) % order.length, rest--) out[order[k]?.[1] ?? 0]! += 1;
  return out;
}

function fail(msg: string): never {
  throw new Error(`demo data calibration failed: ${msg}`);
}

// ---------------------------------------------------------------- code lists
type Group = "BE" | "EU27" | "non-EU";
const EU27 = "AT BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split(" ");
const NON_EU = (
  "GB NO CH IS LI AL BA ME MK RS XK MD UA BY RU GE AM AZ TR KZ UZ KG TJ TM MN CN JP KR KP TW HK VN TH MY SG " +
  "ID PH MM KH LA BD IN PK NP LK AF IR IQ SY LB JO IL PS SA AE KW QA YE OM EG LY TN DZ MA MR SN ML GN GM SL " +
  "LR CI GH TG BJ BF NE NG CM TD CF GA CG CD AO RW BI UG KE TZ ET ER SO SD SS DJ MG MU ZA ZW ZM MW MZ NA BW " +
  "US CA MX GT HN SV NI CR PA CU DO HT JM TT CO VE EC PE BO CL AR UY PY BR SR GY AU NZ XX ZZ"
).split(" ");
// Nationality adjectives used in running text ("people with Romanian nationality").
const ADJ: Record<string, [string, string]> = {
  BE: ["Belgian", "Belgische"],
  RO: ["Romanian", "Roemeense"],
  NL: ["Dutch", "Nederlandse"],
  UA: ["Ukrainian", "Oekraïense"],
  PL: ["Polish", "Poolse"],
  MA: ["Moroccan", "Marokkaanse"],
  IN: ["Indian", "Indiase"],
  BG: ["Bulgarian", "Bulgaarse"],
  FR: ["French", "Franse"],
  TR: ["Turkish", "Turkse"],
  ES: ["Spanish", "Spaanse"],
  IT: ["Italian", "Italiaanse"],
  DE: ["German", "Duitse"],
  PT: ["Portuguese", "Portugese"],
  SY: ["Syrian", "Syrische"],
  AF: ["Afghan", "Afghaanse"],
  GB: ["British", "Britse"],
  US: ["American", "Amerikaanse"],
  BR: ["Brazilian", "Braziliaanse"],
  CN: ["Chinese", "Chinese"],
  HU: ["Hungarian", "Hongaarse"],
  GR: ["Greek", "Griekse"],
  SK: ["Slovak", "Slowaakse"],
  CZ: ["Czech", "Tsjechische"],
  LT: ["Lithuanian", "Litouwse"],
  LV: ["Latvian", "Letse"],
  IE: ["Irish", "Ierse"],
  AT: ["Austrian", "Oostenrijkse"],
  HR: ["Croatian", "Kroatische"],
  SI: ["Slovenian", "Sloveense"],
  SE: ["Swedish", "Zweedse"],
  DK: ["Danish", "Deense"],
  FI: ["Finnish", "Finse"],
  EE: ["Estonian", "Estse"],
  LU: ["Luxembourgish", "Luxemburgse"],
  MT: ["Maltese", "Maltese"],
  CY: ["Cypriot", "Cypriotische"],
  RU: ["Russian", "Russische"],
  ER: ["Eritrean", "Eritrese"],
  PK: ["Pakistani", "Pakistaanse"],
  CM: ["Cameroonian", "Kameroense"],
  CD: ["Congolese", "Congolese"],
  IQ: ["Iraqi", "Iraakse"],
  IR: ["Iranian", "Iraanse"],
  PS: ["Palestinian", "Palestijnse"],
  PH: ["Filipino", "Filipijnse"],
  JP: ["Japanese", "Japanse"],
  KR: ["South Korean", "Zuid-Koreaanse"],
  NG: ["Nigerian", "Nigeriaanse"],
  GH: ["Ghanaian", "Ghanese"],
  SO: ["Somali", "Somalische"],
  ET: ["Ethiopian", "Ethiopische"],
  TN: ["Tunisian", "Tunesische"],
  DZ: ["Algerian", "Algerijnse"],
  EG: ["Egyptian", "Egyptische"],
  AL: ["Albanian", "Albanese"],
  RS: ["Serbian", "Servische"],
  MK: ["North Macedonian", "Noord-Macedonische"],
  XK: ["Kosovar", "Kosovaarse"],
  GE: ["Georgian", "Georgische"],
  AM: ["Armenian", "Armeense"],
  NP: ["Nepali", "Nepalese"],
  VN: ["Vietnamese", "Vietnamese"],
  TH: ["Thai", "Thaise"],
  CA: ["Canadian", "Canadese"],
  MX: ["Mexican", "Mexicaanse"],
  CO: ["Colombian", "Colombiaanse"],
  VE: ["Venezuelan", "Venezolaanse"],
  AR: ["Argentinian", "Argentijnse"],
  ZA: ["South African", "Zuid-Afrikaanse"],
  AU: ["Australian", "Australische"],
  NO: ["Norwegian", "Noorse"],
  CH: ["Swiss", "Zwitserse"],
  ID: ["Indonesian", "Indonesische"],
  BD: ["Bangladeshi", "Bengaalse"],
  LK: ["Sri Lankan", "Sri Lankaanse"],
  GN: ["Guinean", "Guinese"],
  SN: ["Senegalese", "Senegalese"],
  MD: ["Moldovan", "Moldavische"],
  BY: ["Belarusian", "Belarussische"],
  KE: ["Kenyan", "Keniaanse"],
  PE: ["Peruvian", "Peruaanse"],
  EC: ["Ecuadorian", "Ecuadoraanse"],
};
const nameEn = new Intl.DisplayNames(["en"], { type: "region" });
const nameNl = new Intl.DisplayNames(["nl"], { type: "region" });
const nationalities = [
  { code: "BE", group: "BE" as Group },
  ...EU27.map((code) => ({ code, group: "EU27" as Group })),
  ...NON_EU.map((code) => ({ code, group: "non-EU" as Group })),
].map((n) => {
  const special: Record<string, [string, string]> = { XX: ["Stateless", "Staatloos"], ZZ: ["Unknown", "Onbekend"] };
  const [en, nl] = special[n.code] ?? [nameEn.of(n.code) ?? n.code, nameNl.of(n.code) ?? n.code];
  const adj = ADJ[n.code] ?? ["", ""];
  return { ...n, name_en: en, name_nl: nl, adjective_en: adj[0], adjective_nl: adj[1] };
});

// ---------------------------------------------------------------- municipalities (real codes, names, 2020 base)
function readRef(file: string): string[][] {
  let text: string;
  try {
    text = readFileSync(join(refDir, file), "utf8").replace(/^\uFEFF/, "");
  } catch {
    fail(`cannot read ${join(refDir, file)}: the generator needs ../shared/reference (Statbel REFNIS 2019)`);
  }
  return text
    .split(/\r?\n/)
    .filter(Boolean)
    .map((l) => l.split(file.endsWith("REFNIS_2019.csv") ? ";" : ","));
}
const isFlemish = (nis: string) => /^(1|23|24|3|4|7)/.test(nis) && !nis.endsWith("000");
const provinceOf = (nis: string) =>
  ({ "1": "10000", "2": "20001", "3": "30000", "4": "40000", "7": "70000" })[nis[0] as "1"];
const refnis = readRef("REFNIS_2019.csv").slice(1);
const areaName = new Map(refnis.map((r) => [r[3] as string, r[4] as string]));
const pop2020 = new Map(readRef("bevolking_per_gemeente_2020.csv").map((r) => [r[0] as string, Number(r[4])]));
// The mergers of 1 January 2025 (Statbel; the 27 codes that change, e.g. 23024 Gooik → 23106 Pajottegem)
const crosswalkRef = readRef("../statbel-municipalities-pic/nis_crosswalk_2019_2024_to_2025.csv")
  .slice(1)
  .filter((r) => r[4] === "02000" && r[5] === "1")
  .map((r) => ({ old: r[0]!, oldName: r[1]!, neu: r[2]!, name: r[3]! }));
if (crosswalkRef.length !== 27) fail(`expected 27 changed codes, got ${crosswalkRef.length}`);
const mergedInto = new Map(crosswalkRef.map((c) => [c.old, c.neu]));
const munis = refnis
  .filter((r) => isFlemish(r[3] as string))
  .map((r) => {
    const nis = r[3] as string;
    const p = pop2020.get(nis);
    if (!p) fail(`no 2020 population for ${nis}`);
    return {
      nis,
      name: r[4] as string,
      arrondissement: `${nis.slice(0, 2)}000`,
      province: provinceOf(nis) as string,
      pop2020: p,
    };
  })
  .sort((a, b) => a.nis.localeCompare(b.nis));
if (munis.length !== 300) fail(`expected 300 Flemish municipalities, got ${munis.length}`);
// the codes the mergers created (Antwerpen keeps its code and grows)
const newMunis = [...new Map(crosswalkRef.map((c) => [c.neu, c.name]))]
  .filter(([nis]) => !munis.some((m) => m.nis === nis))
  .map(([nis, name]) => ({ nis, name, arrondissement: `${nis.slice(0, 2)}000`, province: provinceOf(nis) as string }));
if (munis.length - mergedInto.size + newMunis.length !== 285)
  fail("the 2025 geography does not have 285 municipalities");
const byName = new Map(munis.map((m) => [m.name, m]));
const must = (name: string) => byName.get(name) ?? fail(`municipality ${name} not found`);

// ---------------------------------------------------------------- regional totals (calibration targets)
const FIRST_YEAR = 1990;
const LAST_YEAR = 2024;
const DETAIL_YEARS = [2018, 2019, 2020, 2021, 2022, 2023, 2024];
const POP_YEARS = [2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025];

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
      ? 5_000 + Math.round(uniform(-900, 900))
      : y < 2010
        ? 8_500 + (y - 2001) * 2_300 + Math.round(uniform(-600, 600))
        : [0, 26_100, 21_800, 17_900, 18_600, 24_700, 19_400, 21_300][y - 2010]!;
  const i = Math.round(imm * uniform(0.98, 1.02));
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
const regionTotals: Record<string, Record<number, [number, number]>> = { "02000": flanders, "03000": {}, "04000": {} };
// Walloon Region: a balance that rises steadily (+300 a year from +1,500 in 1990), small shocks in the break year
// 2010, the COVID-19 year 2020 and the Ukrainian year 2022. Brussels-Capital Region: the rest of Belgium where
// Belgium's totals are published, else a rising but very variable balance (±45% around its trend). These are
// the seed's statements for figure 6 (steady in Flanders and Wallonia; much higher per 1,000 and variable in
// Brussels), which the indicators recompute and the generator checks below.
const walloonShock: Record<number, number> = { 2010: 3_000, 2020: -1_500, 2022: 4_000 };
for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) {
  const [fi, fe] = flanders[y]!;
  const k = y - FIRST_YEAR;
  const wi = Math.round((14_000 + k * 750) * uniform(0.97, 1.03));
  const wb = 1_500 + k * 300 + Math.round(uniform(-250, 250)) + (walloonShock[y] ?? 0);
  const wa: [number, number] = [wi, wi - wb];
  const be = belgium[y];
  let br: [number, number];
  if (be) br = [be[0] - fi - wa[0], be[1] - fe - wa[1]];
  else {
    const bi = Math.round((20_000 + k * 900) * uniform(0.95, 1.05));
    const bb = Math.round((5_000 + k * 450) * uniform(0.55, 1.45) * (y === 2010 ? 1.5 : 1));
    br = [bi, bi - bb];
  }
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

// ---------------------------------------------------------------- population on 1 January
const growth = new Map(munis.map((m) => [m.nis, uniform(0.002, 0.011)]));
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

// ---------------------------------------------------------------- municipal profiles
// attractiveness a (immigration per inhabitant) and balance intensity r, relative to the region.
const dutchBorder = (
  "Essen Kalmthout Wuustwezel Hoogstraten Baarle-Hertog Merksplas Ravels Arendonk Retie Mol Dessel Lommel " +
  "Hamont-Achel Pelt Bocholt Kinrooi Maaseik Dilsen-Stokkem Maasmechelen Lanaken Riemst Voeren Brecht Turnhout " +
  "Oud-Turnhout Beerse Rijkevorsel"
).split(" ");
const southWest = "Menen Wevelgem Kortrijk Wervik Heuvelland Mesen Poperinge Ieper Zonnebeke Spiere-Helkijn Kuurne";
const hot = new Set([...dutchBorder, ...southWest.split(" ")]);
const NEGATIVE = ["Bertem", "Hoeilaart", "Zemst"];
const ZERO = ["Herstappe", "Sint-Genesius-Rode", "Kraainem"];
const TOP = { Leuven: 4.2, Bekkevoort: 4.05 } as Record<string, number>;
for (const n of [...NEGATIVE, ...ZERO, ...Object.keys(TOP), ...hot]) must(n);
const profile = new Map(
  munis.map((m) => {
    let r = uniform(0.35, 1.25);
    if (hot.has(m.name)) r = uniform(1.7, 2.6);
    if (["Antwerpen", "Gent", "Mechelen", "Brugge", "Hasselt", "Genk", "Oostende"].includes(m.name))
      r = uniform(1.3, 1.8);
    if (TOP[m.name]) r = TOP[m.name]!;
    if (NEGATIVE.includes(m.name)) r = -uniform(0.25, 0.45);
    if (ZERO.includes(m.name)) r = 0;
    const a = Math.max(uniform(0.6, 1.4), 0.45 + 0.8 * Math.abs(r));
    return [m.nis, { a, r }];
  }),
);

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

function nationalityTotals(year: number, dir: Dir, total: number): number[] {
  const named = named2024[dir];
  if (year === 2024) {
    const out = nationalities.map((n) => named[n.code] ?? 0);
    for (const g of ["BE", "EU27", "non-EU"] as Group[]) {
      const idx = nationalities.map((n, i) => [n, i] as const).filter(([n]) => n.group === g && !(n.code in named));
      const rest = group2024[dir][g] - nationalities.reduce((s, n, i) => s + (n.group === g ? out[i]! : 0), 0);
      if (rest < 0) fail(`named ${dir} counts exceed the ${g} total`);
      const w = idx.map(([n]) => (n.code === "XX" || n.code === "ZZ" ? 0.3 : 0.3 + rng() ** 3 * 6));
      allocate(rest, w).forEach((v, k) => {
        out[idx[k]![1]] = v;
      });
    }
    if (out.reduce((a, b) => a + b, 0) !== total) fail(`2024 ${dir} nationalities do not add up`);
    return out;
  }
  // Other years: the 2024 profile with noise; Ukrainians spike in 2022 (war in Ukraine).
  const base = nationalityTotals(2024, dir, dir === "immigration" ? 94_372 : 61_362);
  const w = base.map((v, i) => {
    const code = nationalities[i]!.code;
    let f = uniform(0.85, 1.15);
    if (code === "UA")
      f *= year === 2022 ? (dir === "immigration" ? 6.5 : 1.4) : year === 2023 ? 1.2 : year < 2022 ? 0.12 : 1;
    return Math.max(v, 1) * f;
  });
  return allocate(total, w);
}
const memo = new Map<string, number[]>();
function natTotals(year: number, dir: Dir, total: number) {
  const k = `${year}|${dir}`;
  if (!memo.has(k)) memo.set(k, nationalityTotals(year, dir, total));
  return memo.get(k)!;
}

// ---------------------------------------------------------------- flows
function signedAllocate(total: number, weights: number[]): number[] {
  // Weights may be negative (municipalities with a negative balance); allocate on the absolute scale.
  const sum = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((w) => (total * w) / sum);
  const out = raw.map((r) => Math.round(r));
  let diff = total - out.reduce((a, b) => a + b, 0);
  const order = weights
    .map((w, i) => [w, i] as const)
    .filter(([w]) => w > 0)
    .sort((a, b) => b[0] - a[0]);
  for (let k = 0; diff !== 0; k = (k + 1) % order.length) {
    const step = Math.sign(diff);
    out[order[k]![1]]! += step;
    diff -= step;
  }
  return out;
}

const flowFiles = new Map<number, string>();
const muniTotals = new Map<string, { imm: number; em: number }>(); // over 2022–2024, for the checks below
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
    // records: one per movement, each with nationality and sex
    const recs: { n: number; s: "M" | "F"; c: number; m: number }[] = [];
    nat.forEach((count, n) => {
      const code = nationalities[n]!.code;
      const menShare = code === "UA" ? (dir === "immigration" ? 0.36 : 0.4) : uniform(0.53, 0.62);
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
    shuffle(recs);
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
    // municipalities
    const perMuni = dir === "immigration" ? imm : em;
    shuffle(recs);
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
for (const year of DETAIL_YEARS) generateFlows(year);

// ---------------------------------------------------------------- checks on the calibration (figures 1 and 6)
// the seed's statements, through the program's own rules (src/indicators/trends.ts)
{
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

// ---------------------------------------------------------------- checks on the calibration (municipal map)
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

// ---------------------------------------------------------------- EU comparison (Eurostat definition)
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
const YEAR_FACTOR: Record<number, number> = { 2019: 0.95, 2020: 0.74, 2021: 0.86, 2022: 1.12, 2023: 1 };
const euRows = ["year,geo,immigrations,population"];
function euYear(year: number, f: number): void {
  const row = (geo: string, imm: number, pop: number) => euRows.push(`${year},${geo},${imm},${pop}`);
  const popOfGeo = (geo: string) => Math.round(EU_POP[geo]! * 1e6 * (1 + 0.003 * (year - 2023)));
  for (const geo of Object.keys(EU_POP).sort()) {
    if (geo === "BE") continue;
    const p = popOfGeo(geo);
    row(geo, Math.round((EU_RATE_2023[geo]! * (year === 2023 ? 1 : f * uniform(0.93, 1.07)) * p) / 1000), p);
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
for (const [y, f] of Object.entries(YEAR_FACTOR)) euYear(Number(y), f);

// ---------------------------------------------------------------- 2025: the first year of the merged municipalities
// No figures of 2025 are published yet: nothing here is calibrated to a published value, except the populations of
// 1 January 2025 and 2026 above. Drawn from a second random stream, so the years before are exactly as they were.
rng = mulberry32(20260715);
{
  const y = 2025;
  flanders[y] = [92_940, 62_580];
  const k = y - FIRST_YEAR;
  const wi = Math.round((14_000 + k * 750) * uniform(0.97, 1.03));
  const wb = 1_500 + k * 300 + Math.round(uniform(-250, 250));
  const bi = Math.round((20_000 + k * 900) * uniform(0.95, 1.05));
  const bb = Math.round((5_000 + k * 450) * uniform(0.55, 1.45));
  const totals: [string, [number, number]][] = [
    ["02000", flanders[y]],
    ["03000", [wi, wi - wb]],
    ["04000", [bi, bi - bb]],
  ];
  for (const [reg, [i, e]] of totals) {
    regionTotals[reg]![y] = [i, e];
    longRows.push(`${y},${reg},immigration,${i},0`, `${y},${reg},emigration,${e},0`);
  }
  compShares[y] = { immigration: [81, 10, 9], emigration: [54, 45.7, 0.3] };
  generateFlows(y);
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
  euYear(2024, 0.98);
}
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

// ---------------------------------------------------------------- write
const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const write = (rel: string, text: string | Buffer) => {
  const file = join(dataDir, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
};
const titleCase = (s: string) => s.replace(/^Provincie /, "").replace(/^Arrondissement /, "");
write(
  "codes/municipalities.csv",
  `${[
    "nis,name_nl,arrondissement,province,region,valid_from,valid_to",
    ...[
      ...munis.map((m) => [
        m.nis,
        m.name,
        m.arrondissement,
        m.province,
        "02000",
        "",
        mergedInto.has(m.nis) ? "2024" : "",
      ]),
      ...newMunis.map((m) => [m.nis, m.name, m.arrondissement, m.province, "02000", "2025", ""]),
    ]
      .sort((a, b) => a[0]!.localeCompare(b[0]!))
      .map((r) => r.map(csvCell).join(",")),
  ].join("\n")}\n`,
);
const areas = [
  ["01000", "country", "België", "Belgium"],
  ["02000", "region", "Vlaams Gewest", "Flemish Region"],
  ["03000", "region", "Waals Gewest", "Walloon Region"],
  ["04000", "region", "Brussels Hoofdstedelijk Gewest", "Brussels-Capital Region"],
  ["10000", "province", "Antwerpen", "Antwerp"],
  ["20001", "province", "Vlaams-Brabant", "Flemish Brabant"],
  ["30000", "province", "West-Vlaanderen", "West Flanders"],
  ["40000", "province", "Oost-Vlaanderen", "East Flanders"],
  ["70000", "province", "Limburg", "Limburg"],
  ...[...new Set(munis.map((m) => m.arrondissement))].sort().map((a) => {
    const nl = titleCase(areaName.get(a) ?? fail(`no name for arrondissement ${a}`));
    return [a, "arrondissement", nl, nl];
  }),
];
write(
  "codes/areas.csv",
  `${["nis,level,name_nl,name_en", ...areas.map((r) => r.map(csvCell).join(","))].join("\n")}\n`,
);
write(
  "codes/nationalities.csv",
  `${[
    "code,group,name_nl,name_en,adjective_nl,adjective_en",
    ...nationalities.map((n) =>
      [n.code, n.group, n.name_nl, n.name_en, n.adjective_nl, n.adjective_en].map(csvCell).join(","),
    ),
  ].join("\n")}\n`,
);
write(
  "codes/components.csv",
  `direction,code,name_nl,name_en
immigration,strict,immigratie in strikte zin,immigration in the strict sense
immigration,re-registration,herinschrijving na ambtshalve schrapping,re-registration after an official deletion
immigration,from-waiting-register,overschrijving vanuit het wachtregister,transfer from the waiting register
emigration,strict,emigratie in strikte zin,emigration in the strict sense
emigration,official-deletion,ambtshalve schrapping,official deletion
emigration,to-waiting-register,overschrijving naar het wachtregister,transfer to the waiting register
`,
);
write("codes/eu-geo.csv", `${euGeo.join("\n")}\n`);
write(
  "codes/crosswalk.csv",
  `${["nis_old,nis_new,since", ...crosswalkRef.map((c) => `${c.old},${c.neu},2025`).sort()].join("\n")}\n`,
);
write("long-series.csv", `${longRows.join("\n")}\n`);
write("population.csv", `${popRows.join("\n")}\n`);
write("eu-comparison.csv", `${euRows.join("\n")}\n`);
for (const [year, text] of flowFiles) write(`flows/flows-${year}.csv.gz`, gzipSync(text, { level: 9 }));
console.log(
  `wrote data/: ${munis.length} municipalities, ${nationalities.length} nationalities, ` +
    `${[...flowFiles.values()].reduce((s, t) => s + t.split("\n").length - 2, 0)} flow rows in ${flowFiles.size} years; ` +
    `top rates: ${rates
      .slice(0, 4)
      .map((r) => `${r.name} ${r.rate.toFixed(1)}`)
      .join(", ")}`,
);
