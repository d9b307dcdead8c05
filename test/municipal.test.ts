import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import type { BuiltEdition } from "../src/chain/pipeline.ts";
import { render } from "../src/chain/pipeline.ts";
import { prepareYear } from "../src/chain/prepare.ts";
import { planEditions } from "../src/config/editions.ts";
import { loadConfig } from "../src/config/read-config.ts";
import { readDatasets } from "../src/data/read-datasets.ts";
import type { Indicators } from "../src/indicators/types.ts";
import { configPath, memoryPrinterEffects, overlayEffects } from "./helpers.ts";

/*
 * Municipal editions: a few chosen across sizes (Herstappe, the smallest; Mesen; Baarle-Hertog; Leuven), with
 * every published count scanned for a 1–4 (CSV, Excel, HTML tables, facts, indicators.json). The batch as
 * processes (shards, resume): test/batch.test.ts.
 */

const CASES = { "73028": "Herstappe", "33016": "Mesen", "13002": "Baarle-Hertog", "24062": "Leuven" };
/** the columns that hold counts of persons, by their header in either language */
const COUNT_COLUMNS =
  /^(immigration|emigration|count|men|women|total|immigratie|emigratie|aantal|mannen|vrouwen|totaal)$/i;
const leak = (v: unknown) => typeof v === "number" && v >= 1 && v <= 4;

let editions: { area: string; e: BuiltEdition; indicators: unknown }[] = [];
beforeAll(async () => {
  const built = await render(
    {
      configPath,
      editions: Object.keys(CASES).flatMap((area) =>
        (["nl", "en"] as const).map((lang) => ({ year: 2024, area, lang })),
      ),
      formats: ["html"],
      outDir: mkdtempSync(join(tmpdir(), "municipal-")),
    },
    memoryPrinterEffects(),
  );
  editions = built.areas.flatMap((a) => a.editions.map((e) => ({ area: a.area, e, indicators: a.indicators })));
}, 120_000);

describe("a municipality's edition", () => {
  it("has the sections of its own templates, in both languages, and says which disclosure rule applied", () => {
    const herstappe = editions.find((x) => x.area === "73028" && x.e.key.lang === "en")!.e;
    expect(herstappe.narrative.sections.headline!.headlineText).toBe("International migration in Herstappe, 2024");
    const text = Object.values(herstappe.narrative.sections)
      .map((s) => s.body.replace(/<(?!\/?p)[^>]*>/g, ""))
      .join(" ");
    expect(text).toContain("a count of fewer than 5 persons is not published (shown as &lt;5)");
    expect(text).toContain("Herstappe registered fewer than 5 immigrations");
    const nl = editions.find((x) => x.area === "73028" && x.e.key.lang === "nl")!.e;
    const nlText = nl.narrative.sections.headline!.body.replace(/<[^>]*>/g, "");
    expect(nlText).toContain("telde Herstappe minder dan 5 immigraties");
    // a hidden balance has a sentence of its own, not its marker in a slot written for a number (#29)
    expect(nlText).toContain("het internationale migratiesaldo wordt niet gepubliceerd.");
    expect(nlText).not.toContain("bedroeg niet gepubliceerd");
    expect(text).toContain("its international migration balance is not published.");
    const leuven = editions.find((x) => x.area === "24062" && x.e.key.lang === "en")!.e;
    expect(leuven.narrative.sections.municipalities!.body).toMatch(
      /Among the 30 municipalities of its arrondissement, it ranks 1st by its balance per 1,000 inhabitants \(highest first\)\./,
    );
    // the map: Leuven filled and outlined, its neighbours named
    const map = JSON.parse(leuven.charts.find((c) => c.id === "municipalities")!.specJson);
    const names = map.layer.at(-1).data.values.map((v: { name: string }) => v.name);
    expect(names).toEqual(expect.arrayContaining(["Leuven", "Herent", "Bertem", "Holsbeek", "Lubbeek"]));
  });

  it("publishes its figures as SVG, CSV, XLSX and spec, and as PNG only when config.yml asks (output.municipalPng)", async () => {
    const leuven = editions.find((x) => x.area === "24062" && x.e.key.lang === "en")!.e;
    expect(leuven.pngs).toEqual([]);
    expect(leuven.html).toContain('href="charts/municipalities.svg" download');
    expect(leuven.html).not.toMatch(/href="charts\/[a-z-]+\.png"/);
    const text = readFileSync(configPath, "utf8");
    const fx = overlayEffects({ "config.yml": `${text}\noutput:\n  municipalPng: true\n` });
    const withPng = await render(
      { configPath, editions: [{ year: 2024, area: "24062", lang: "en" }], formats: ["html"] },
      fx,
    );
    const e = withPng.areas[0]!.editions[0]!;
    expect(e.pngs).toHaveLength(e.charts.length);
    for (const png of e.pngs) expect(Buffer.from(png.subarray(1, 4)).toString("latin1")).toBe("PNG");
    expect(e.html).toContain('href="charts/municipalities.png" download');
  }, 60_000);

  it("a figure whose every value is hidden is not drawn as an empty frame: it says why, in both languages", () => {
    for (const lang of ["en", "nl"] as const) {
      const e = editions.find((x) => x.area === "73028" && x.e.key.lang === lang)!.e;
      const blank = e.specs.filter((c) => (c.spec as { data?: { values?: unknown[] } }).data?.values?.length === 0);
      expect(blank.length).toBeGreaterThan(0); // Herstappe: its figures of counts hide every value
      for (const c of blank) {
        const figure = e.html.slice(
          e.html.indexOf(`id="fig-${c.id}"`),
          e.html.indexOf("</figure>", e.html.indexOf(`id="fig-${c.id}"`)),
        );
        expect(figure).not.toContain('<div class="chart">');
        expect(figure).not.toContain('class="desc"'); // no description of a chart that is not there
        expect(figure).toContain(
          lang === "en"
            ? "Figure not shown: every value of this figure is hidden"
            : "Figuur niet weergegeven: alle waarden",
        );
      }
      // Leuven's figures are all drawn
      const leuven = editions.find((x) => x.area === "24062" && x.e.key.lang === lang)!.e;
      expect(leuven.html.match(/<div class="chart">/g)).toHaveLength(leuven.charts.length);
    }
  });

  it("a figure with some values hidden keeps every category: the hidden ones are drawn as their marker and named in its description", () => {
    for (const lang of ["en", "nl"] as const) {
      // Mesen: some of its components and groups are published (Herstappe's breakdowns are withheld whole)
      const e = editions.find((x) => x.area === "33016" && x.e.key.lang === lang)!.e;
      for (const id of ["nationality-groups", "components"]) {
        const chart = e.charts.find((c) => c.id === id)!;
        const spec = e.specs.find((c) => c.id === id)!;
        // every row of the figure's table is a category on the chart's axis
        const axis = [...chart.svg.matchAll(/role-axis-label[\s\S]*?<\/g>/g)].map((m) => m[0]).join("");
        for (const row of spec.rows)
          expect(axis, `${id}: ${row.join(" ")}`).toContain(String(row[id === "components" ? 1 : 0]));
        // the hidden values: their marker on the chart, and named in the description
        const marks = chart.svg.slice(chart.svg.indexOf("layer_1_marks"));
        const hidden = spec.rows.flatMap((r) => r.filter((v) => v === "<5" || v === "x"));
        expect(hidden.length, id).toBeGreaterThan(0);
        expect((marks.match(/&lt;5|>x</g) ?? []).length, id).toBeGreaterThan(0);
        const desc = (spec.spec as { description: string }).description;
        expect(desc).toContain(lang === "en" ? "Hidden values" : "Afgeschermde waarden");
        const named = { "nationality-groups": "EU27", components: lang === "en" ? "strict sense" : "strikte zin" };
        expect(desc).toContain(named[id as keyof typeof named]);
      }
    }
  });

  it("the most frequent nationalities are named in rank order without their numbers, each of at least minCount persons", async () => {
    // every municipality of the region against the year's own flow table
    const config = await loadConfig(configPath, memoryPrinterEffects());
    const req = { configPath, areas: ["municipalities"], langs: ["en" as const] };
    const [year, areas] = [...planEditions(config, req)][0]!;
    const out = { problems: [], timings: {} };
    const units = await prepareYear(config, req, year, areas, memoryPrinterEffects(), out);
    expect(units).toHaveLength(300);
    const flows = (await readDatasets(config, year, memoryPrinterEffects())).datasets.flows.get(year)!;
    const truth = new Map<string, number>();
    for (let i = 0; i < flows.length; i++) {
      const at = (c: "nis" | "direction" | "nationality") => flows.dict[c].codes[flows[c][i]!];
      const k = `${at("nis")}|${at("direction")}|${at("nationality")}`;
      truth.set(k, (truth.get(k) ?? 0) + flows.count[i]!);
    }
    const minCount = config.disclosure.minCount;
    let named = 0;
    let short = 0;
    for (const u of units) {
      const t = u.indicators.topNationalities;
      expect(t.counts).toBe(false);
      for (const dir of ["immigration", "emigration"] as const) {
        const list = t[dir];
        expect(t.ranked![dir]).toBe(list.length);
        expect(list.length).toBeLessThanOrEqual(t.size);
        expect(list.map((n) => n.rank)).toEqual(list.map((_, k) => k + 1));
        const counts = list.map((n) => truth.get(`${u.area.nis}|${dir}|${n.code}`) ?? 0);
        expect(
          counts.every((c) => c >= minCount),
          `${u.area.nis} ${dir}`,
        ).toBe(true);
        expect(counts).toEqual([...counts].sort((a, b) => b - a));
        for (const n of list) expect([n.total, n.men, n.women, n.majority]).toEqual([null, null, null, null]);
        named += list.length;
        if (list.length < t.size) {
          short++;
          // a short list leaves out only nationalities below minCount
          const others = [...truth].filter(
            ([k, v]) =>
              k.startsWith(`${u.area.nis}|${dir}|`) && !list.some((n) => k.endsWith(`|${n.code}`)) && v >= minCount,
          );
          expect(others, `${u.area.nis} ${dir}`).toEqual([]);
        }
      }
      const d = u.indicators.disclosure!;
      expect(
        [...d.primary, ...d.secondary].filter((p) => p.startsWith("topNationalities.") && !p.includes("totalsBySex")),
      ).toEqual([]);
    }
    expect(named).toBeGreaterThan(1000); // the rule is exercised: many names, many short lists
    expect(short).toBeGreaterThan(100);
    const herstappe = editions.find((x) => x.area === "73028" && x.e.key.lang === "en")!.e;
    // its period counts are "x" (a small total of hidden years): their sentence is written without them
    expect(herstappe.narrative.sections.headline!.body).toContain(
      "Its numbers of immigrations and emigrations over 2022–2024 are not published.",
    );
    expect(
      editions.find((x) => x.area === "73028" && x.e.key.lang === "nl")!.e.narrative.sections.headline!.body,
    ).toContain("De aantallen immigraties en emigraties van de periode 2022–2024 worden niet gepubliceerd.");
    expect(herstappe.narrative.sections["top-nationalities"]!.body).toContain(
      "No nationality counted 5 or more immigrants in 2024.",
    );
    const nl = editions.find((x) => x.area === "73028" && x.e.key.lang === "nl")!.e;
    expect(nl.narrative.sections["top-nationalities"]!.body).toContain(
      "In 2024 telde geen enkele nationaliteit 5 of meer immigranten.",
    );
    const leuven = editions.find((x) => x.area === "24062" && x.e.key.lang === "en")!.e;
    const table = leuven.charts.find((c) => c.id === "top-nationalities")!;
    expect(table.csv.replace(/^\uFEFF/, "").split("\r\n")[0]).toBe("year,area,direction_label,rank,nationality_label");
    expect(leuven.narrative.sections["top-nationalities"]!.body.replace(/<[^>]*>/g, "")).toMatch(
      /^The most frequent nationalities among the immigrants of 2024: [A-Z][a-z]+, [A-Z][a-z]+ and [A-Z][a-z]+\./,
    );
  }, 60_000);

  it("never words a hidden count as a number ('nearly 5' would tell it)", () => {
    for (const { e } of editions) {
      const all = Object.values(e.narrative.sections)
        .map((s) => `${s.body} ${s.headline} ${s.alt}`)
        .join(" ");
      expect(all).not.toMatch(/\b(nearly|just over|bijna|iets meer dan) [1-9]\b/);
      // nor puts a hidden one's label in a slot written for a number ("telde niet gepubliceerd immigraties")
      expect(all).not.toMatch(/(not published|niet gepubliceerd) (immigra|emigra)/);
      expect(all).not.toMatch(/\b(was|bedroeg|registered|telde[a-z ]*?) (not published|niet gepubliceerd)\b/);
      for (const f of e.narrative.facts)
        if (f.kind.startsWith("count")) expect(leak(f.value), `${f.indicator}`).toBe(false);
    }
  });

  it("tells no shared attribute of a few persons: no breakdown shows only zeros beside a hidden category (#30)", () => {
    let breakdowns = 0;
    for (const { area, e } of editions)
      for (const c of e.charts.filter((x) => x.id === "components" || x.id === "nationality-groups")) {
        const [head, ...lines] = c.csv
          .replace(/^\uFEFF/, "")
          .trim()
          .split("\r\n");
        const cols = head!.split(",");
        // one breakdown per direction: the components' rows of a direction, the groups' column of a direction
        const byDir = new Map<string, string[]>();
        for (const l of lines) {
          const v = l.split(",");
          if (c.id === "components") {
            const dir = v[cols.indexOf("direction_label")]!;
            byDir.set(dir, [...(byDir.get(dir) ?? []), v[cols.indexOf("count")]!]);
          } else
            for (const dir of ["immigration", "emigration"])
              byDir.set(dir, [...(byDir.get(dir) ?? []), v[cols.indexOf(dir)]!]);
        }
        for (const [dir, values] of byDir) {
          breakdowns++;
          const hidden = values.filter((v) => !/^\d+$/.test(v));
          const zeros = values.filter((v) => v === "0");
          expect(
            hidden.length === 1 && zeros.length === values.length - 1,
            `${area} ${e.key.lang} ${c.id} ${dir}: ${values.join(" ")}`,
          ).toBe(false);
        }
      }
    expect(breakdowns).toBe(Object.keys(CASES).length * 2 * 2 * 2);
    // Herstappe (82 inhabitants): every category of its breakdowns is withheld, the totals stay
    const herstappe = editions.find((x) => x.area === "73028")!.indicators as Indicators;
    expect(herstappe.disclosure?.withheld?.length).toBeGreaterThan(0);
    expect(herstappe.components.immigration.map((c) => c.count)).not.toContain(0);
  });

  it("publishes no count of 1–4: CSV, Excel, HTML tables and indicators.json scanned", async () => {
    let cells = 0;
    for (const { area, e, indicators } of editions) {
      for (const [k, c] of e.charts.entries()) {
        // CSV
        const [head, ...lines] = c.csv
          .replace(/^\uFEFF/, "")
          .trim()
          .split("\r\n");
        const cols = head!.split(",");
        for (const l of lines)
          l.split(",").forEach((v, j) => {
            if (COUNT_COLUMNS.test(cols[j] ?? "") && /^\d+$/.test(v)) {
              cells++;
              expect(leak(Number(v)), `${area} ${c.id}.csv ${cols[j]}=${v}`).toBe(false);
            }
          });
        // the HTML table
        const heads = [...c.table.matchAll(/<th scope="col">([^<]*)<\/th>/g)].map((m) => m[1]!);
        for (const row of c.table.matchAll(/<tr>((?:<td>[^<]*<\/td>)+)<\/tr>/g))
          [...row[1]!.matchAll(/<td>([^<]*)<\/td>/g)].forEach((m, j) => {
            const v = m[1]!.replace(/[.,\u00a0]/g, "");
            if (COUNT_COLUMNS.test(heads[j] ?? "") && /^\d+$/.test(v))
              expect(leak(Number(v)), `${area} ${c.id} table`).toBe(false);
          });
        // the Excel workbook, read back
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load(Buffer.from(e.xlsx[k]!) as never);
        wb.worksheets[0]!.eachRow((row) => {
          const values = (row.values as unknown[]).slice(1);
          values.forEach((v, j) => {
            if (COUNT_COLUMNS.test(String(heads[j] ?? ""))) expect(leak(v), `${area} ${c.id}.xlsx`).toBe(false);
          });
        });
      }
      // indicators.json as published: the counts of the edition
      const ind = indicators as { series: Record<string, unknown>[]; components: { byYear: { count: unknown }[] } };
      for (const s of ind.series)
        for (const m of ["immigration", "emigration"]) expect(leak(s[m]), `${area} series`).toBe(false);
      for (const c of ind.components.byYear) expect(leak(c.count)).toBe(false);
    }
    expect(cells).toBeGreaterThan(80); // the scan saw the tables (100 cells of counts in these 8 editions)
    // and Herstappe's are hidden, not left out: "<5" is there
    const h = editions.find((x) => x.area === "73028")!.e.charts.find((c) => c.id === "headline")!;
    expect(h.csv).toContain("<5");
  });
});
