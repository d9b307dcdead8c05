import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { harmonise } from "../src/data/harmonise.ts";
import { computeIndicators } from "../src/indicators/compute-indicators.ts";
import type { Indicators } from "../src/indicators/types.ts";
import { areaOf, configPath, overlayEffects, prepare, shared } from "./helpers.ts";

async function indicatorsFor(year: number): Promise<Indicators> {
  const prep = await prepare({ configPath, year }, overlayEffects());
  expect(prep.problems.filter((p) => p.severity === "error")).toEqual([]);
  return computeIndicators(harmonise(prep.datasets, year).datasets, {
    year,
    area: areaOf(harmonise(prep.datasets, year).datasets),
    periodYears: 3,
    synthetic: true,
  });
}

let i2024: Indicators;
let i2023: Indicators;
let i2022: Indicators;
beforeAll(async () => {
  [i2024, i2023, i2022] = await Promise.all([indicatorsFor(2024), indicatorsFor(2023), indicatorsFor(2022)]);
});
const name = (i: Indicators, nis: string) => i.municipalities.rows.find((m) => m.nis === nis)?.name;

describe("2024 indicators give every figure of the 2024 bulletin (../shared/guide/bulletin.md)", () => {
  it("section 1: totals and comparisons", () => {
    const h = i2024.headline;
    expect(h.immigration).toBeLessThan(94_400); // "nearly 94,400"
    expect(h.immigration).toBeGreaterThanOrEqual(94_350);
    expect(h.emigration).toBeLessThan(61_400); // "nearly 61,400"
    expect(h.emigration).toBeGreaterThanOrEqual(61_350);
    expect(Math.round(h.balance / 1000) * 1000).toBe(33_000); // "approximately 33,000"
    expect(h.previous.map((p) => p.year)).toEqual([2022, 2023]);
    expect(h.immigrationLowerThanAllPrevious).toBe(true);
    expect(h.balanceLowerThanAllPrevious).toBe(true);
    expect(i2024.series.find((s) => s.year === 2010)?.balance).toBe(34_396);
    expect(i2024.seriesFacts.breakYears).toEqual([2010]);
    expect(Math.round(i2024.seriesFacts.firstDecade.meanBalance / 1000) * 1000).toBe(5_000);
    expect(i2024.seriesFacts.maxBalance.year).toBe(2022);
  });

  it("section 2: components", () => {
    const pct = (xs: { code: string; share: number }[], d = 0) =>
      Object.fromEntries(xs.map((x) => [x.code, Number((x.share * 100).toFixed(d))]));
    expect(pct(i2024.components.immigration)).toEqual({
      strict: 80,
      "from-waiting-register": 11,
      "re-registration": 9,
    });
    expect(pct(i2024.components.emigration)).toMatchObject({ strict: 53, "official-deletion": 47 });
    expect(pct(i2024.components.emigration, 1)["to-waiting-register"]).toBe(0.3);
  });

  it("section 3: nationality groups", () => {
    const g = Object.fromEntries(i2024.nationalityGroups.rows.map((r) => [r.group, r]));
    expect(Math.round(g["non-EU"]!.immigrationShare * 100)).toBe(48);
    expect(Math.round(g.EU27!.immigrationShare * 100)).toBe(42);
    expect(Math.round(g.BE!.immigrationShare * 100)).toBe(10);
    expect(Math.round(g.BE!.balance / 100) * 100).toBe(-6_500);
    expect(Math.round(g.EU27!.balance / 100) * 100).toBe(9_700);
    expect(g["non-EU"]!.balance).toBeGreaterThan(29_800); // "just over +29,800"
    expect(g["non-EU"]!.balance).toBeLessThan(29_850);
    expect(i2024.nationalityGroups.largestImmigrationGroup).toBe("non-EU");
  });

  it("section 4: top nationalities by sex", () => {
    const t = i2024.topNationalities;
    expect(t.immigration.slice(0, 4).map((n) => n.code)).toEqual(["RO", "BE", "NL", "UA"]);
    expect(t.emigration.slice(0, 3).map((n) => n.code)).toEqual(["BE", "RO", "NL"]);
    expect(t.immigration).toHaveLength(10);
    expect(t.womenMajority.immigration).toEqual(["UA"]);
    expect(t.womenMajority.emigration).toEqual(["UA"]);
    expect(t.totalsBySex.emigration.men).toBeGreaterThan(t.totalsBySex.emigration.women);
    for (const n of t.immigration) expect(n.men + n.women).toBe(n.total);
  });

  it("section 5: municipalities 2022–2024", () => {
    const m = i2024.municipalities;
    expect(m.rows).toHaveLength(300);
    expect(m.negative.map((n) => name(i2024, n)).sort()).toEqual(["Bertem", "Hoeilaart", "Zemst"]);
    // Herstappe's balance is zero too, but its rate (82 inhabitants, 6 movements) is not reliable: in no list (#30)
    expect(m.zero.map((n) => name(i2024, n)).sort()).toEqual(["Kraainem", "Sint-Genesius-Rode"]);
    expect(m.unreliable.map((n) => name(i2024, n))).toEqual(["Herstappe"]);
    expect(m.rows.find((r) => r.nis === "73028")!.reliable).toBe(false);
    expect(m.topClass.members.map((n) => name(i2024, n))).toEqual(["Leuven", "Bekkevoort"]);
    expect(m.topClass.threshold).toBe(20);
    expect(m.positive).toBe(294);
    const total = m.rows.reduce((s, r) => s + r.balance, 0);
    expect(total).toBe(i2024.series.filter((s) => s.year >= 2022).reduce((s, r) => s + r.balance, 0));
  });

  it("section 6: three regions positive since 1990", () => {
    expect(i2024.regions.positiveSince).toEqual({ "02000": 1990, "03000": 1990, "04000": 1990 });
  });

  it("section 7: EU comparison 2023", () => {
    const r = Object.fromEntries(i2024.eu.rows.map((x) => [x.geo, Number(x.ratePer1000.toFixed(1))]));
    expect(i2024.eu.year).toBe(2023);
    expect(r).toMatchObject({ BE2: 10.1, EU27_2020: 13.2, BE: 14.4, BE1: 56.1 });
    expect(i2024.eu.countries).toBe(27);
  });
});

describe("published headline figures of earlier editions hold (../shared/reference/published-figures)", () => {
  const rows = parse(readFileSync(join(shared, "reference/published-figures/published_figures.csv")), {
    columns: true,
    relax_quotes: true,
  }) as Record<string, string>[];
  const flemish = rows.filter((r) => r.geo === "Flemish Region" && /^\d{4}$/.test(r.year!));
  const totals = (year: number) => i2024.series.find((s) => s.year === year)!;
  const shareOf = (year: number, dir: "immigration" | "emigration", code: string) =>
    [...i2022.components.byYear, ...i2024.components.byYear].find(
      (c) => c.year === year && c.direction === dir && c.code === code,
    )?.share;
  const codeOf: Record<string, ["immigration" | "emigration", string]> = {
    imm_share_strict: ["immigration", "strict"],
    imm_share_re_registrations: ["immigration", "re-registration"],
    imm_share_from_waiting_register: ["immigration", "from-waiting-register"],
    em_share_strict: ["emigration", "strict"],
    em_share_official_deletions: ["emigration", "official-deletion"],
    em_share_to_waiting_register: ["emigration", "to-waiting-register"],
  };
  it.each(flemish.map((r) => [`${r.year} ${r.indicator} ${r.value} (${r.precision})`, r] as const))("%s", (_n, r) => {
    const year = Number(r.year);
    const published = Number(r.value);
    let value: number;
    if (r.indicator === "immigrations_total") value = totals(year).immigration;
    else if (r.indicator === "emigrations_total") value = totals(year).emigration;
    else if (r.indicator === "balance") value = totals(year).balance;
    else {
      const [dir, code] = codeOf[r.indicator!]!;
      const share = shareOf(year, dir, code);
      expect(share, `no share for ${year}`).toBeDefined();
      const decimals = published < 1 ? 1 : 0;
      expect(Number(((share ?? 0) * 100).toFixed(decimals))).toBe(published);
      return;
    }
    if (r.precision === "exact") return expect(value).toBe(published);
    // the unit the figure was rounded to: the largest power of ten (≤ 1,000) that divides it
    const unit = published % 1000 === 0 ? 1000 : published % 100 === 0 ? 100 : 10;
    expect(Math.abs(value - published)).toBeLessThanOrEqual(unit / 2);
    if (/nearly|almost|bijna/.test(r.precision!)) expect(value).toBeLessThan(published);
    if (/just over|more than|iets meer dan/.test(r.precision!)) expect(value).toBeGreaterThan(published);
  });
});

describe("other observation years", () => {
  it("--year 2023 compares with 2021 and 2022 over 2021–2023", () => {
    expect(i2023.headline.year).toBe(2023);
    expect(i2023.headline.previous.map((p) => p.year)).toEqual([2021, 2022]);
    expect(i2023.municipalities.from).toBe(2021);
    expect(i2023.eu.year).toBe(2022); // Eurostat lags a year: the 2023 edition compares 2022
    expect(i2023.series.at(-1)?.year).toBe(2023);
    // 2023 is neither below nor above both 2021 and 2022: the flags must say so
    expect(i2023.headline.immigrationLowerThanAllPrevious).toBe(false);
    expect(i2023.headline.immigrationHigherThanAllPrevious).toBe(false);
  });

  it("2022 (war in Ukraine) has Ukrainians on top of immigration", () => {
    expect(i2022.topNationalities.immigration[0]?.code).toBe("UA");
    expect(i2022.headline.immigrationHigherThanAllPrevious).toBe(true);
  });
});
