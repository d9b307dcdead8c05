import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Lang, SECTION_IDS } from "../src/core/domain.ts";
import { FALL_MIN, fallsOf, muchHigher, type Point, riseOnset, shapeOf } from "../src/indicators/trends.ts";
import type { Indicators } from "../src/indicators/types.ts";
import { checkNotes, evaluateClaim } from "../src/narrative/claims.ts";
import { readTemplates, type TemplateSet } from "../src/narrative/read-templates.ts";
import { writeNarrative } from "../src/narrative/write-narrative.ts";
import { dataText, indicatorsOf, overlayEffects, root } from "./helpers.ts";

/*
 * The computed statements (trend onset, steady rise, highly variable, much higher per 1,000) and the claims of the
 * editorial notes: each holds on the shipped data, and each is dropped or reworded when a fixture flips the data.
 */

const LANGS: Lang[] = ["en", "nl"];
let templates: TemplateSet;
let shipped: Indicators;
const text = (i: Indicators, lang: Lang) => {
  const n = writeNarrative({
    indicators: i,
    locale: templates.locales[lang]!,
    templates: templates.narrative[lang]!,
    notes: {},
    sectionIds: SECTION_IDS,
  });
  return SECTION_IDS.map((id) => n.sections[id]!.body.replace(/<[^>]*>/g, "")).join("\n");
};

/** The shipped long series with `f` applied to each count. */
function longSeries(f: (year: number, region: string, direction: string, count: number) => number): string {
  const [head, ...lines] = dataText("data/long-series.csv").trimEnd().split("\n");
  return `${[
    head,
    ...lines.map((l) => {
      const [y, r, d, c, b] = l.split(",");
      return [y, r, d, f(Number(y), r!, d!, Number(c)), b].join(",");
    }),
  ].join("\n")}\n`;
}
const withSeries = (f: Parameters<typeof longSeries>[0]) =>
  indicatorsOf(2024, "02000", { "data/long-series.csv": longSeries(f) });

beforeAll(async () => {
  templates = await readTemplates(join(root, "templates"), LANGS, overlayEffects());
  shipped = await indicatorsOf(2024);
});

describe("the rules (trends.ts)", () => {
  const pts = (vals: number[], from = 1990): Point[] => vals.map((value, i) => ({ year: from + i, value }));

  it("a plateau then a sharp rise: the first year of the rise; no onset without a plateau or without a rise", () => {
    const plateauRise = pts([5, 5.2, 4.8, 5.1, 4.9, 5, 8, 10, 12, 14, 16]);
    expect(riseOnset(plateauRise)?.year).toBe(1996);
    expect(riseOnset(pts([5, 5.2, 4.8, 5.1, 4.9, 5, 5.1, 4.9, 5, 5.2, 5]))).toBeNull(); // flat
    expect(riseOnset(pts([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]))).toBeNull(); // rising from the start
    expect(riseOnset(pts([5, 5.2, 4.8, 5.1, 4.9, 5, 5.5, 6, 6.2, 6.4, 6.5]))).toBeNull(); // a rise, not sharp
    // only the years before the first break count
    const broken = [...plateauRise.slice(0, 6), { year: 1996, value: 40, break: true }, ...pts([8, 9], 1997)];
    expect(riseOnset(broken)).toBeNull();
  });

  it("volatility is the spread of the yearly changes, without the changes into or out of a break year", () => {
    const steady = shapeOf(pts([1, 1.5, 2, 2.5, 3, 3.5]));
    expect(steady.volatility).toBeCloseTo(0, 9);
    expect(steady.steadyRise).toBe(true);
    const jumpy = shapeOf(pts([5, 12, 4, 15, 6, 16]));
    expect(jumpy.highlyVariable).toBe(true);
    expect(jumpy.steadyRise).toBe(false);
    const withBreak = shapeOf([...pts([1, 1.5, 2]), { year: 1993, value: 20, break: true }, ...pts([2.5, 3], 1994)]);
    expect(withBreak.steadyRise).toBe(true);
  });

  it("a fall of more than FALL_MIN over consecutive years: risen, with falls named, never 'steadily'", () => {
    // the demonstration's Flemish rate: 8.4 in 2022 to 4.8 in 2024, inside a rise since 1990
    const flanders = shapeOf(pts([1, 2, 3, 4, 5, 6, 7, 8.4, 6.5, 4.8, 5.5, 6]));
    expect(flanders.falls).toEqual(
      [{ from: 1997, to: 1999, drop: 3.6 }].map((f) => ({ ...f, drop: expect.closeTo(f.drop, 9) })),
    );
    expect(flanders.steadyRise).toBe(false);
    expect(flanders.risingWithFalls).toBe(true);
    // a dip of no more than FALL_MIN does not count; a break year or a gap ends a run
    expect(fallsOf(pts([1, 2, 3, 2.2, 3, 4]))).toEqual([]);
    expect(fallsOf([...pts([5, 4.5]), { year: 1992, value: 3.5, break: true }, ...pts([3, 2.5], 1993)])).toEqual([]);
    // property: whatever the series, a run of yearly decreases losing more than FALL_MIN forbids "steadily"
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 500; n++) {
      const len = 4 + Math.floor(rnd() * 12);
      const values = [rnd() * 5];
      for (let i = 1; i < len; i++) values.push(values[i - 1]! + (rnd() - 0.35) * 2);
      const shape = shapeOf(pts(values));
      let hasFall = false;
      for (let i = 0; i < values.length; i++)
        for (let j = i + 1; j < values.length && values[j]! < values[j - 1]!; j++)
          if (values[i]! - values[j]! > FALL_MIN) hasFall = true;
      if (hasFall) expect(shape.steadyRise, values.join(" ")).toBe(false);
      expect(shape.falls.length > 0).toBe(hasFall);
    }
  });

  it("much higher: above every other series every year and at least twice their mean", () => {
    const a = pts([10, 12, 11]);
    expect(muchHigher({ a, b: pts([2, 3, 4]), c: pts([1, 1, 2]) })).toBe("a");
    expect(muchHigher({ a, b: pts([2, 13, 4]) })).toBeNull(); // not above in every year
    expect(muchHigher({ a, b: pts([6, 7, 8]) })).toBeNull(); // above, but less than twice
  });
});

describe("on the shipped data, both languages state what the data support", () => {
  it("the rise since 2001; Flanders and Wallonia rose with falls (named), Brussels much higher and variable", () => {
    expect(shipped.seriesFacts.riseSince?.year).toBe(2001);
    // the Flemish rate fell 2011–2013, 2019–2020 and 2022–2024 (8.4 to 4.8): not "steadily" (issue #30)
    expect(shipped.regions.steadyRise).toEqual([]);
    expect(shipped.regions.shapes["02000"]!.falls.map((f) => `${f.from}-${f.to}`)).toEqual([
      "2011-2013",
      "2019-2020",
      "2022-2024",
    ]);
    expect(shipped.regions.highlyVariable).toEqual(["04000"]);
    expect(shipped.regions.muchHigher).toBe("04000");
    expect(text(shipped, "en")).toContain("Since 2001, the balance has risen sharply.");
    expect(text(shipped, "nl")).toContain("Sinds 2001 is het saldo sterk gestegen.");
    expect(text(shipped, "en")).toContain(
      "The migration balance of the Flemish Region has risen since 1990, with falls in 2011–2013, 2019–2020 and 2022–2024. The migration balance of the Walloon Region has risen since 1990, with a fall in 2022–2023. The balance was much higher per 1,000 inhabitants in the Brussels-Capital Region and followed a highly variable pattern there.",
    );
    expect(text(shipped, "nl")).toContain(
      "Het migratiesaldo van het Vlaams Gewest steeg sinds 1990, met dalingen in 2011–2013, 2019–2020 en 2022–2024. Het migratiesaldo van het Waals Gewest steeg sinds 1990, met een daling in 2022–2023. In het Brussels Hoofdstedelijk Gewest lag het saldo per 1.000 inwoners veel hoger en volgde het een zeer wisselend patroon.",
    );
    for (const lang of LANGS) expect(text(shipped, lang)).not.toMatch(/steadily|gestaag/);
  });

  it("figure 6 is per 1,000: the rate is the balance over the mean of two 1 January populations", () => {
    const r = shipped.regions.series.find((s) => s.region === "04000" && s.year === 2024)!;
    const pop = new Map(
      dataText("data/population.csv")
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.split(","))
        .map(([y, n, p]) => [`${y}|${n}`, Number(p)]),
    );
    const mean = (pop.get("2024|04000")! + pop.get("2025|04000")!) / 2;
    expect(r.population).toBe(mean);
    expect(r.ratePer1000).toBeCloseTo((r.balance / mean) * 1000, 9);
  });
});

describe("fixtures that flip each statement", () => {
  it("no plateau before 2001 (the 1990s balance rising like the 2000s): no onset is stated", async () => {
    const i = await withSeries((y, r, d, c) =>
      r === "02000" && d === "emigration" && y < 2001 ? c - (y - 1990 - 10) * 2_300 + 3_500 : c,
    );
    expect(i.seriesFacts.riseSince).toBeNull();
    expect(text(i, "en")).not.toContain("risen sharply");
    expect(text(i, "nl")).not.toContain("sterk gestegen");
  });

  it("the Walloon balance jumping from year to year: Wallonia is called variable, not risen with falls", async () => {
    const i = await withSeries((y, r, d, c) => (r === "03000" && d === "emigration" && y % 2 ? c + 15_000 : c));
    expect(i.regions.highlyVariable).toContain("03000");
    const en = text(i, "en");
    expect(en).not.toContain("The migration balance of the Walloon Region has risen");
    expect(en).toContain(
      "It followed a highly variable pattern in the Walloon Region and the Brussels-Capital Region.",
    );
    expect(text(i, "nl")).toContain(
      "In het Waals Gewest en het Brussels Hoofdstedelijk Gewest volgde het een zeer wisselend patroon.",
    );
  });

  it("the Flemish balance without its falls (each year at least the one before): 'steadily' again", async () => {
    const flemish = shipped.regions.series.filter((s) => s.region === "02000");
    const keep = new Map<number, number>();
    let best = Number.NEGATIVE_INFINITY;
    for (const s of flemish) {
      best = Math.max(best, s.balance);
      keep.set(s.year, best - s.balance); // how much more immigration makes the balance the running maximum
    }
    const i = await withSeries((y, r, d, c) => (r === "02000" && d === "immigration" ? c + (keep.get(y) ?? 0) : c));
    expect(i.regions.shapes["02000"]!.falls).toEqual([]);
    expect(i.regions.steadyRise).toContain("02000");
    expect(text(i, "en")).toContain("risen steadily in the Flemish Region");
    expect(text(i, "nl")).toMatch(/Vlaams Gewest gestaag steeg|steeg gestaag in het Vlaams Gewest/);
  });

  it("Brussels' balance cut to the Flemish level per 1,000: no 'much higher'", async () => {
    const i = await withSeries((_y, r, d, c) => (r === "04000" && d === "immigration" ? Math.round(c * 0.55) : c));
    expect(i.regions.muchHigher).toBeNull();
    for (const lang of LANGS) expect(text(i, lang)).not.toMatch(/much higher|veel hoger/);
  });
});

describe("editorial notes: claims checked against the indicators", () => {
  const notes = {
    en: { headline: "The lower figures of 2024 compared with 2022 are due to the war in Ukraine." },
    nl: { headline: "Dat de cijfers van 2024 lager liggen dan die van 2022, komt door de oorlog in Oekraïne." },
  };
  const check = (i: Indicators, claims: string[], n: Parameters<typeof checkNotes>[0]["notes"] = notes) =>
    checkNotes({
      indicators: i,
      notes: n,
      claims: { headline: claims },
      file: "config.yml",
      key: "editions.2024.notes",
    });

  it("the shipped claims hold; a claim the data contradict is an error naming both values", async () => {
    expect(check(shipped, ["series.2024.immigration < series.2022.immigration"])).toEqual([]);
    const flipped = await withSeries((y, r, d, c) => (r === "02000" && d === "immigration" && y === 2022 ? 90_000 : c));
    const [p] = check(flipped, ["series.2024.immigration < series.2022.immigration"]);
    expect(p?.severity).toBe("error");
    expect(p?.message).toContain("does not hold");
    expect(p?.message).toContain("94,372 is not below 90,000");
  });

  it("a note naming a year no claim checks is a warning; a claim that names no indicator is an error", () => {
    const [w] = check(shipped, ["series.2024.immigration < 100000"]);
    expect(w?.severity).toBe("warning");
    expect(w?.message).toContain("names 2022");
    const [e] = check(shipped, ["series.2024.imigration < series.2022.immigration"]);
    expect(e?.severity).toBe("error");
    expect(e?.message).toContain("`series.2024.imigration` is not an indicator");
    expect(evaluateClaim(shipped, "regions.04000.2022.ratePer1000 > regions.02000.2022.ratePer1000").holds).toBe(true);
  });

  it("a note naming a region is checked only by a claim on that region", () => {
    const n = { en: { headline: "Higher in the Brussels-Capital Region." }, nl: {} };
    expect(check(shipped, ["series.2024.balance > 0"], n)[0]?.message).toContain("Brussels-Capital Region (04000)");
    expect(check(shipped, ["regions.04000.2024.ratePer1000 > regions.02000.2024.ratePer1000"], n)).toEqual([]);
  });
});
