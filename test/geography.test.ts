import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { render } from "../src/chain/pipeline.ts";
import { harmonise } from "../src/data/harmonise.ts";
import type { Datasets } from "../src/data/read-datasets.ts";
import { type Area, resolveArea } from "../src/indicators/area.ts";
import { compositionOf } from "../src/indicators/composition.ts";
import { configPath, dataText, memoryPrinterEffects, overlayEffects, prepare, shared } from "./helpers.ts";

/*
 * The mergers of 1 January 2025: the code lists, the crosswalk and the harmonisation of earlier years, on the real
 * merger list (every one of the 27 changed codes); the validation of a code of the wrong geography; the revisions
 * paragraph of an edition built after the previous one.
 */

const REF = join(shared, "reference/statbel-municipalities-pic/nis_crosswalk_2019_2024_to_2025.csv");
const merger = readFileSync(REF, "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((l) => l.split(","))
  .filter((r) => r[4] === "02000" && r[5] === "1")
  .map(([old, , neu]) => ({ old: old!, neu: neu! }));

let ds: Datasets;
beforeAll(async () => {
  ds = (await prepare({ configPath, year: 2025 }, overlayEffects())).datasets;
});

/** Sum of a year's flows of `dir` per municipality code. */
function flowsByCode(d: Datasets, year: number, dir: string): Map<string, number> {
  const t = d.flows.get(year)!;
  const out = new Map<string, number>();
  const dirIdx = t.dict.direction.codes.indexOf(dir);
  for (let i = 0; i < t.length; i++) {
    if (t.direction[i] !== dirIdx) continue;
    const nis = t.dict.nis.codes[t.nis[i]!]!;
    out.set(nis, (out.get(nis) ?? 0) + t.count[i]!);
  }
  return out;
}

describe("the project's tables hold the real merger list", () => {
  it("27 old codes in the crosswalk, as in Statbel's list; 285 municipalities valid in 2025, 300 in 2024", () => {
    expect(merger).toHaveLength(27);
    const cw = ds.crosswalk.rows.map((r) => `${r.nis_old}>${r.nis_new}@${r.since}`).sort();
    expect(cw).toEqual(merger.map((m) => `${m.old}>${m.neu}@2025`).sort());
    expect(harmonise(ds, 2025).datasets.municipalities.rows).toHaveLength(285);
    expect(harmonise(ds, 2024).datasets.municipalities.rows).toHaveLength(300);
  });
});

describe("harmonise: earlier years added up to the municipalities of 2025", () => {
  it("every one of the 27 changes: the new code's flows and population are the sums of its parts", () => {
    const h = harmonise(ds, 2025).datasets;
    const targets = [...new Set(merger.map((m) => m.neu))];
    // a municipality that absorbed another keeps its code (Antwerpen): it is a part of itself
    const partsOf = (neu: string) => [...merger.filter((m) => m.neu === neu).map((m) => m.old), neu];
    let checked = 0;
    for (const year of [2023, 2024])
      for (const dir of ["immigration", "emigration"]) {
        const raw = flowsByCode(ds, year, dir);
        const on = flowsByCode(h, year, dir);
        for (const neu of targets) {
          const sum = partsOf(neu).reduce((s, c) => s + (raw.get(c) ?? 0), 0);
          expect(on.get(neu), `${neu} ${dir} ${year}`).toBe(sum);
          for (const m of merger) expect(on.has(m.old), `${m.old} is gone in ${year}`).toBe(false);
          checked++;
        }
        // and nothing is lost or counted twice
        expect([...on.values()].reduce((a, b) => a + b, 0)).toBe([...raw.values()].reduce((a, b) => a + b, 0));
      }
    expect(checked).toBe(4 * 13);
    const pop = (rows: Datasets["population"]["rows"], year: number, nis: string) =>
      rows.find((r) => r.year === year && r.nis === nis && r.geography === undefined)?.population as number;
    for (const year of [2022, 2023, 2024])
      for (const neu of targets) {
        const sum = partsOf(neu).reduce((s, c) => s + (pop(ds.population.rows, year, c) ?? 0), 0);
        expect(pop(h.population.rows, year, neu), `${neu} on 1 January ${year}`).toBe(sum);
      }
  });

  it("1 January 2025: the 2024 edition uses the stock in the municipalities of 2024, the 2025 edition those of 2025", () => {
    const on2024 = harmonise(ds, 2024).datasets.population.rows.filter((r) => r.year === 2025);
    const on2025 = harmonise(ds, 2025).datasets.population.rows.filter((r) => r.year === 2025);
    expect(on2024.some((r) => r.nis === "23024")).toBe(true); // Gooik, before the merger
    expect(on2025.some((r) => r.nis === "23024")).toBe(false);
    expect(on2025.find((r) => r.nis === "23106")).toBeDefined(); // Pajottegem
    const flemish = (rows: typeof on2024) =>
      rows.filter((r) => !String(r.nis).endsWith("000")).reduce((s, r) => s + (r.population as number), 0);
    expect(flemish(on2024)).toBe(6_864_766);
    expect(flemish(on2025)).toBe(6_864_766);
  });
});

describe("a code of the wrong geography names the fix", () => {
  /** The 2025 flows with Pajottegem's lines written under Gooik's old code (or the 2024 flows under the new code). */
  const moved = (year: number, from: string, to: string) => {
    const text = dataText(`data/flows/flows-${year}.csv.gz`).replace(
      new RegExp(`^${year},${from},`, "m"),
      `${year},${to},`,
    );
    return { [`data/flows/flows-${year}.csv.gz`]: gzipSync(text) };
  };
  it("a 2025 flow under an old code: merged into …, with the file and line", async () => {
    const p = await prepare({ configPath, year: 2025 }, overlayEffects(moved(2025, "23106", "23024")));
    const e = p.problems.find((x) => x.message.includes("23024"));
    expect(e?.severity).toBe("error");
    expect(e?.file).toContain("flows-2025.csv.gz");
    expect(e?.line).toBeGreaterThan(1);
    expect(e?.message).toBe("municipality 23024 Gooik no longer existed in 2025");
    expect(e?.hint).toContain("23024 Gooik was merged into 23106 Pajottegem on 1 January 2025");
  });
  it("a 2024 flow under a new code: it did not exist yet, formed from …", async () => {
    const p = await prepare({ configPath, year: 2024 }, overlayEffects(moved(2024, "23023", "23106")));
    const e = p.problems.find((x) => x.message.includes("23106"));
    expect(e?.message).toBe("municipality 23106 Pajottegem did not exist in 2024");
    expect(e?.hint).toContain("23023 Galmaarden, 23024 Gooik, 23032 Herne");
  });
});

describe("an edition's geography", () => {
  const withConfig = (extra: string) =>
    overlayEffects({
      "geo.yml": readFileSync(configPath, "utf8").replace('  "2025":\n', `  "2025":\n${extra}`),
    });
  const renderYear = (year: number, fx: ReturnType<typeof overlayEffects>, out = mkdtempSync(join(tmpdir(), "geo-"))) =>
    render({ configPath: "geo.yml", year, formats: ["html"], langs: ["en"], outDir: out }, fx);

  it("a geography older than a merger within the data is refused with the fix", async () => {
    await expect(renderYear(2025, withConfig("    geography: 2024\n"))).rejects.toMatchObject({
      problems: expect.arrayContaining([
        expect.objectContaining({ message: expect.stringContaining("cannot use the municipalities of 2024") }),
      ]),
    });
  });

  it("the 2025 edition on 285 municipalities says that 2023 and 2024 were recomputed for them", async () => {
    const out = mkdtempSync(join(tmpdir(), "geo-"));
    const b = await render(
      { configPath, year: 2025, formats: ["html"], langs: ["en"], outDir: out },
      memoryPrinterEffects(),
    );
    const ind = b.areas[0]!.indicators;
    expect(ind.municipalities.count).toBe(285);
    expect(ind.municipalities.geography).toEqual({ year: 2025, recomputed: [2023, 2024] });
    expect(ind.municipalities.rows.find((m) => m.nis === "23106")?.name).toBe("Pajottegem");
    const text = b.areas[0]!.editions[0]!.narrative.sections.municipalities!.body.replace(/<[^>]*>/g, "");
    expect(text).toContain(
      "The figures follow the municipalities as of 1 January 2025: those of 2023 and 2024 were recomputed for them",
    );
  });
});

describe("an area a merger changed says so (composition)", () => {
  const compositionFor = (nis: string) => {
    const h = harmonise(ds, 2025);
    const area = resolveArea(h.datasets, nis) as Area;
    return compositionOf(h.datasets, area, {
      geography: 2025,
      recomputed: h.recomputed,
      merged: h.merged,
      years: [2021, 2022, 2023, 2024, 2025],
    });
  };
  it("the areas that lost or gained a municipality, the municipality a merger formed; none for an unchanged area", () => {
    expect(compositionFor("73028")?.moves).toEqual([
      { area: "73000", kind: "lost", municipality: "73040", into: "71072", other: "71000" },
    ]);
    const hasselt = compositionFor("71072");
    expect(hasselt?.formedFrom).toEqual(["71022", "73040"]);
    expect(hasselt?.moves).toEqual([
      { area: "71000", kind: "gained", municipality: "73040", into: "71072", other: "73000" },
    ]);
    // Zwijndrecht went to Beveren-Kruibeke-Zwijndrecht, in another province
    expect(compositionFor("10000")?.moves.map((m) => `${m.kind} ${m.municipality}`)).toEqual(["lost 11056"]);
    expect(compositionFor("70000")).toBeNull();
    expect(compositionFor("02000")).toBeNull();
    expect(compositionFor("73028")?.years).toEqual([2021, 2022, 2023, 2024]);
  });
  it("Herstappe's 2025 edition says in both languages that the arrondissement of Tongeren lost Kortessem", async () => {
    const out = mkdtempSync(join(tmpdir(), "geo-"));
    const b = await render(
      { configPath, year: 2025, areas: ["73028"], formats: ["html"], langs: ["nl", "en"], outDir: out },
      memoryPrinterEffects(),
    );
    const text = (lang: string) =>
      b.areas[0]!.editions.find((e) => e.key.lang === lang)!.narrative.sections.headline!.body.replace(/<[^>]*>/g, "");
    expect(text("en")).toContain(
      "Since 1 January 2025, Kortessem has no longer been part of the arrondissement of Tongeren: it merged into Hasselt (the arrondissement of Hasselt). The figures of the arrondissement of Tongeren for 2021, 2022, 2023 and 2024 are recomputed without it.",
    );
    expect(text("nl")).toContain(
      "Sinds 1 januari 2025 hoort Kortessem niet meer bij het arrondissement Tongeren: de gemeente is opgegaan in Hasselt (het arrondissement Hasselt).",
    );
  });
});

describe("revisions: an edition built after the previous one", () => {
  // 2015's immigration of the Flemish Region as the shipped long series has it, and its balance
  const before = Number(/^2015,02000,immigration,(\d+)/m.exec(dataText("data/long-series.csv"))![1]);
  const balance2015 = (() => {
    const t = dataText("data/long-series.csv");
    return before - Number(/^2015,02000,emigration,(\d+)/m.exec(t)![1]);
  })();
  let out: string;
  let lower: string;
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), "revisions-"));
    const prev = await render({ configPath, year: 2024, formats: ["html"], outDir: out }, memoryPrinterEffects());
    mkdirSync(join(out, "2024"), { recursive: true });
    writeFileSync(join(out, "2024", "indicators.json"), JSON.stringify(prev.areas[0]!.indicators));
    // a late registration: the previous edition published 2015's immigration 38 lower than the data now have (in the
    // area's series and in the regions' series, where the region is itself), so this edition revises it by +38
    lower = mkdtempSync(join(tmpdir(), "revisions-late-"));
    const ind = structuredClone(prev.areas[0]!.indicators);
    const s = ind.series.find((x) => x.year === 2015)!;
    const r = ind.regions.series.find((x) => x.year === 2015 && x.region === "02000")!;
    for (const x of [s, r]) {
      x.immigration -= 38;
      x.balance -= 38;
    }
    mkdirSync(join(lower, "2024"), { recursive: true });
    writeFileSync(join(lower, "2024", "indicators.json"), JSON.stringify(ind));
  });
  const text = async (fx: ReturnType<typeof overlayEffects>, dir = out) => {
    const b = await render({ configPath, year: 2025, formats: ["html"], outDir: dir }, fx);
    const e = b.areas[0]!.editions;
    return Object.fromEntries(e.map((x) => [x.key.lang, x.narrative.sections.revisions!.body.replace(/<[^>]*>/g, "")]));
  };

  // the data of this edition are the shipped ones: the round's disclosure patterns are those the cache holds
  it("a changed earlier year is listed exactly, in both languages", async () => {
    const fmt = (n: number, lang: string) => n.toLocaleString(lang === "nl" ? "nl-BE" : "en-GB");
    const t = await text(overlayEffects(), lower);
    expect(t.en).toContain(
      `Compared with the previous edition (2024), these figures were revised: immigration in 2015 from ${fmt(before - 38, "en")} to ${fmt(before, "en")} (+38) and migration balance in 2015 from +${fmt(balance2015 - 38, "en")} to +${fmt(balance2015, "en")} (+38).`,
    );
    expect(t.nl).toContain(
      `Ten opzichte van de vorige editie (2024) werden deze cijfers herzien: immigratie in 2015 van ${fmt(before - 38, "nl")} naar ${fmt(before, "nl")} (+38) en migratiesaldo in 2015 van +${fmt(balance2015 - 38, "nl")} naar +${fmt(balance2015, "nl")} (+38).`,
    );
    // the regions' series holds the Flemish totals too, but they are the area's own: not counted twice
    expect(t.en).not.toContain("other figures");
  });

  it("nothing changed: it says so; no previous edition: no paragraph", async () => {
    const t = await text(overlayEffects());
    expect(t.en).toContain(
      "Compared with the previous edition (2024), none of the yearly totals of 1990–2024 was revised.",
    );
    expect(t.nl).toContain("werd geen enkel jaartotaal van 1990–2024 herzien");
    const alone = await render(
      { configPath, year: 2025, formats: ["html"], outDir: mkdtempSync(join(tmpdir(), "norev-")) },
      memoryPrinterEffects(),
    );
    expect(alone.areas[0]!.editions[0]!.narrative.sections.revisions!.body.trim()).toBe("");
  });
});
