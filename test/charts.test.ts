import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { createCanvas, loadImage } from "canvas";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import * as vega from "vega";
import { compile } from "vega-lite";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCompiledCode, saveCompiledCode } from "../src/chain/compiled-cache.ts";
import { buildChartSpecs, type ChartSpec } from "../src/charts/build-chart-specs.ts";
import { renderCharts, toTable } from "../src/charts/render-charts.ts";
import { fillIn, toRuntime, vegaCode, vegaKey, withoutValues } from "../src/charts/vega-specs.ts";
import type { Lang } from "../src/core/domain.ts";
import { SECTION_IDS } from "../src/core/domain.ts";
import { encodePng } from "../src/core/png.ts";
import { harmonise } from "../src/data/harmonise.ts";
import { importBoundaries } from "../src/geo/import-boundaries.ts";
import { computeIndicators } from "../src/indicators/compute-indicators.ts";
import type { Indicators } from "../src/indicators/types.ts";
import { readTemplates, type TemplateSet } from "../src/narrative/read-templates.ts";
import { areaOf, configPath, overlayEffects, prepare, root, shared } from "./helpers.ts";

const SHP = join(shared, "reference/statbel-municipalities-pic/source_shapefiles/gemeente2024.shp");
const GOLDEN = join(root, "test/golden/charts");
let ind: Indicators;
let templates: TemplateSet;
let boundaries: unknown;
let imported: Awaited<ReturnType<typeof importBoundaries>>;
const specsFor = (lang: Lang, withMap = true): ChartSpec[] =>
  buildChartSpecs({
    indicators: ind,
    locale: templates.locales[lang]!,
    boundaries: withMap ? boundaries : undefined,
    descriptions: {},
  });

beforeAll(async () => {
  const prep = await prepare({ configPath, year: 2024 }, overlayEffects());
  ind = computeIndicators(harmonise(prep.datasets, 2024).datasets, {
    year: 2024,
    area: areaOf(harmonise(prep.datasets, 2024).datasets),
    periodYears: 3,
    synthetic: true,
  });
  templates = await readTemplates(join(root, "templates"), ["en", "nl"], overlayEffects());
  imported = await importBoundaries(SHP, async (p) => (existsSync(p) ? readFileSync(p) : undefined));
  boundaries = imported.topology;
});

describe("boundary import from the real Statbel-derived shapefile", () => {
  it("319 shapes (300 Flemish + 19 Brussels), every NIS code of the data matched, in WGS84", () => {
    expect(imported.count).toBe(319);
    const munis = readFileSync(join(root, "data/codes/municipalities.csv"), "utf8")
      .split("\n")
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split(","))
      .filter((r) => r[6] !== "" || r[5] === "") // valid in 2024: no valid_from, or a valid_to
      .filter((r) => r[5] === "")
      .map((r) => r[0]);
    const codes = new Set(imported.codes);
    expect(munis).toHaveLength(300);
    expect(munis.filter((m) => !codes.has(m!))).toEqual([]);
    expect(imported.codes.filter((c) => c.startsWith("21"))).toHaveLength(19);
    const t = imported.topology as unknown as { bbox: number[]; transform: { translate: number[] } };
    // Flanders + Brussels lie between 2.5–5.95° E and 50.6–51.55° N
    expect(t.transform.translate[0]).toBeGreaterThan(2.4);
    expect(t.transform.translate[1]).toBeGreaterThan(50.6);
    expect(JSON.stringify(imported.topology).length).toBeLessThan(250_000);
  });
});

describe("chart specs", () => {
  const schema = JSON.parse(readFileSync(join(root, "node_modules/vega-lite/build/vega-lite-schema.json"), "utf8"));
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  const validate = ajv.compile(schema);
  it.each([
    ["en", true],
    ["nl", true],
    ["en", false],
  ] as const)("every %s spec (map: %s) validates against the official Vega-Lite schema", (lang, withMap) => {
    const specs = specsFor(lang, withMap);
    expect(specs.map((s) => s.id)).toEqual([...SECTION_IDS]);
    for (const s of specs) {
      const ok = validate(s.spec);
      expect(ok, `${s.id}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    }
  });

  it("the map classes: only Bertem, Hoeilaart and Zemst negative; Leuven and Bekkevoort in the top class", () => {
    const map = specsFor("en").find((s) => s.id === "municipalities")!;
    const json = JSON.stringify(map.spec);
    const rows = JSON.parse(json).layer[0].transform[0].from.data.values as { name: string; cls: string }[];
    expect(
      rows
        .filter((r) => r.cls === "< 0")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["Bertem", "Hoeilaart", "Zemst"]);
    expect(
      rows
        .filter((r) => r.cls === "0")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["Kraainem", "Sint-Genesius-Rode"]);
    // a rate that is not reliable has a class of its own, not "0"
    expect(rows.filter((r) => r.cls === "not reliable").map((r) => r.name)).toEqual(["Herstappe"]);
    expect(rows.filter((r) => r.cls === "> 20").map((r) => r.name)).toEqual(["Leuven", "Bekkevoort"]);
  });

  it("the map is projected once (Mercator, north up, west left) and every name sits inside its municipality", () => {
    const specOf = (lang: Lang) =>
      specsFor(lang).find((s) => s.id === "municipalities")!.spec as unknown as {
        projection: unknown;
        datasets: { boundaries: Topology };
        layer: { data: { values?: { name: string; x: number; y: number }[] }; mark: { type: string } }[];
      };
    const en = specOf("en");
    expect(en.projection).toEqual({ type: "identity" });
    expect(specOf("nl").datasets.boundaries).toBe(en.datasets.boundaries); // one projection for both editions
    const topo = en.datasets.boundaries;
    const box = new Map<string, [number, number, number, number]>();
    for (const g of (topo.objects.municipalities as GeometryCollection<{ nis: string; name: string }>).geometries) {
      const f = feature(topo, g) as unknown as { geometry: { coordinates: unknown } };
      const pts = (JSON.stringify(f.geometry.coordinates).match(/-?[\d.]+,-?[\d.]+/g) ?? []).map((p) =>
        p.split(",").map(Number),
      );
      const xs = pts.map((p) => p[0]!);
      const ys = pts.map((p) => p[1]!);
      box.set((g.properties as { name: string }).name, [
        Math.min(...xs),
        Math.min(...ys),
        Math.max(...xs),
        Math.max(...ys),
      ]);
    }
    const centre = (name: string) => {
      const b = box.get(name)!;
      return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2] as const;
    };
    expect(centre("De Panne")[0]).toBeLessThan(centre("Maasmechelen")[0]); // west on the left
    expect(centre("Essen")[1]).toBeLessThan(centre("Voeren")[1]); // north at the top (y grows downwards)
    const labels = en.layer.find((l) => l.mark.type === "text")!.data.values!;
    expect(labels.map((l) => l.name).sort()).toEqual(["Bekkevoort", "Bertem", "Hoeilaart", "Leuven", "Zemst"]);
    for (const l of labels) {
      const [x0, y0, x1, y1] = box.get(l.name)!;
      expect(l.x).toBeGreaterThan(x0);
      expect(l.x).toBeLessThan(x1);
      expect(l.y).toBeGreaterThan(y0);
      expect(l.y).toBeLessThan(y1);
    }
  });

  it("without boundaries the map becomes a ranking that still shows the negatives", () => {
    const s = specsFor("en", false).find((x) => x.id === "municipalities")!;
    const values = (s.spec as unknown as { data: { values: { name: string }[] } }).data.values.map((v) => v.name);
    expect(values.slice(0, 2)).toEqual(["Leuven", "Bekkevoort"]);
    expect(values).toEqual(expect.arrayContaining(["Bertem", "Hoeilaart", "Zemst"]));
  });
});

describe("rendering (no browser)", () => {
  let en: Awaited<ReturnType<typeof renderCharts>>;
  let nl: Awaited<ReturnType<typeof renderCharts>>;
  beforeAll(async () => {
    [en, nl] = await Promise.all([renderCharts(specsFor("en"), "en"), renderCharts(specsFor("nl"), "nl")]);
  });

  it("Dutch and English charts differ in labels and number format", () => {
    const h = (r: typeof en) => r.find((c) => c.id === "headline")!.svg;
    expect(h(en)).toContain(">120,000<");
    expect(h(nl)).toContain(">120.000<");
    expect(h(en)).toContain(">Immigration<");
    expect(h(nl)).toContain(">Immigratie<");
    expect(h(en)).toContain('font-family="&quot;Source Sans 3&quot;"');
  });

  it("core/png.ts writes the pixels it is given: decoded by another reader (skia's), every pixel is the same", async () => {
    const canvas = createCanvas(97, 41); // odd sizes: no row is a multiple of anything
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#1f5e8c";
    ctx.fillRect(3, 2, 50, 30);
    ctx.fillStyle = "rgba(224, 138, 44, 0.5)"; // half-transparent over the blue and over nothing
    ctx.fillRect(30, 10, 60, 25);
    ctx.font = "12px sans-serif";
    ctx.fillText("1,234", 5, 38);
    const pixels = ctx.getImageData(0, 0, 97, 41).data;
    const png = await encodePng(97, 41, pixels);
    const back = createCanvas(97, 41);
    back.getContext("2d").drawImage(await loadImage(Buffer.from(png)), 0, 0);
    const decoded = back.getContext("2d").getImageData(0, 0, 97, 41).data;
    expect(Buffer.from(decoded).equals(Buffer.from(pixels))).toBe(true);
    expect(pixels.some((v, i) => i % 4 === 3 && v > 0 && v < 255)).toBe(true); // the test drew partial alpha
    await expect(encodePng(97, 40, pixels)).rejects.toThrow("not 97×40 RGBA pixels");
  });

  it("each figure has an accessible SVG, a PNG at 2×, a CSV with a BOM and the spec", async () => {
    for (const c of [...en, ...nl]) {
      expect(c.svg).toMatch(/^<svg[^>]* role="img" aria-label="/);
      const png = Buffer.from(await c.png());
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      // 2×: the PNG is twice the SVG's width
      expect(png.readUInt32BE(16)).toBe(2 * Number(/width="(\d+)"/.exec(c.svg)![1]));
      // and a PNG any reader reads: skia's own decoder gives its size back, with pixels drawn in it
      const img = await loadImage(png);
      expect(img.width).toBe(png.readUInt32BE(16));
      expect(c.csv.startsWith("\uFEFF")).toBe(true);
      expect(JSON.parse(c.specJson).$schema).toContain("vega-lite");
    }
    // the CSV is for programs: the same column names and codes in both languages, labels beside the codes
    const head = en.find((c) => c.id === "headline")!;
    const headNl = nl.find((c) => c.id === "headline")!;
    const header = "\uFEFFyear,area,area_label,immigration,emigration,balance,break_in_series";
    expect(head.csv.split("\r\n")[0]).toBe(header);
    expect(headNl.csv.split("\r\n")[0]).toBe(header);
    expect(head.csv).toContain("2024,02000,Flemish Region,94372,61362,33010,0");
    expect(headNl.csv).toContain("2024,02000,Vlaams Gewest,94372,61362,33010,0");
    for (const id of ["components", "regions", "eu-comparison", "top-nationalities", "nationality-groups"]) {
      const [a, b] = [en, nl].map((set) => set.find((c) => c.id === id)!.csv.split("\r\n"));
      expect(a![0], id).toBe(b![0]);
      // every line has as many cells as the header (a decimal comma would add one)
      for (const line of b!.filter(Boolean))
        expect(line.split(",").length, `${id}: ${line}`).toBe(b![0]!.split(",").length);
    }
  });

  it("same input, same SVG bytes; golden SVGs of the 2024 fixture", async () => {
    const again = await renderCharts(specsFor("en"), "en");
    expect(again.map((c) => c.svg)).toEqual(en.map((c) => c.svg));
    mkdirSync(GOLDEN, { recursive: true });
    const mismatches: string[] = [];
    for (const [lang, set] of [
      ["en", en],
      ["nl", nl],
    ] as const)
      for (const c of set) {
        // the map is drawn from the reference boundaries, which must not be committed in any form
        if (c.id === "municipalities") continue;
        const file = join(GOLDEN, `${c.id}.${lang}.svg`);
        if (!existsSync(file) && process.env.UPDATE_GOLDEN === "1") writeFileSync(file, c.svg);
        const golden = existsSync(file)
          ? readFileSync(file, "utf8")
          : "(missing: run with UPDATE_GOLDEN=1 once, review, commit)";
        if (golden !== c.svg) {
          writeFileSync(join(GOLDEN, `${c.id}.${lang}.actual.svg`), c.svg);
          mismatches.push(`${c.id}.${lang}.svg (actual written next to it)`);
        }
      }
    expect(mismatches).toEqual([]);
  });
});

describe("the figures' Vega dataflows, kept between runs (charts/vega-specs.ts)", () => {
  // descriptions quoting numbers, as the narrative's alt texts do
  const described = (lang: Lang) =>
    buildChartSpecs(
      {
        indicators: ind,
        locale: templates.locales[lang]!,
        boundaries,
        descriptions: Object.fromEntries(SECTION_IDS.map((id) => [id, `${id}: 94,372 immigrations in 2024`])),
      },
      SECTION_IDS,
    );
  const fresh = () => {
    vegaCode.known.clear();
    vegaCode.added.clear();
  };
  /** as JSON: a view marks the data rows it has read with a symbol, which JSON leaves out */
  const plain = (v: unknown) => JSON.parse(JSON.stringify(v));
  /** what Vega-Lite and Vega make of a spec, in the JSON form that is kept */
  const made = (spec: ChartSpec["spec"]) => plain(vega.parse(compile(spec).spec));
  const svgOf = async (runtime: vega.Runtime) =>
    (await new vega.View(runtime, { renderer: "none" }).runAsync()).toSVG();

  it("a view made from the dataflow's JSON draws the same SVG as one made from the parser's own objects", async () => {
    for (const lang of ["en", "nl"] as const)
      for (const c of described(lang)) {
        const parsed = vega.parse(compile(c.spec).spec);
        expect(await svgOf(made(c.spec)), `${c.id}.${lang}`).toBe(await svgOf(parsed));
      }
  });

  it("a kept dataflow, filled in, is what Vega-Lite and Vega make, for every figure of both languages", async () => {
    fresh();
    for (const lang of ["en", "nl"] as const)
      for (const c of described(lang)) {
        const direct = made(c.spec);
        expect(plain(await toRuntime(c.spec, true)), `${c.id}.${lang}, made`).toEqual(direct);
        expect(vegaCode.added.has(vegaKey(withoutValues(c.spec).shape)), `${c.id}.${lang} kept`).toBe(true);
        expect(plain(await toRuntime(c.spec, true)), `${c.id}.${lang}, from what was kept`).toEqual(direct);
      }
    expect(vegaCode.added.size).toBe(2 * SECTION_IDS.length);
  });

  it("other data values and another description find the same spec and are filled in, not the kept ones", async () => {
    fresh();
    const [before] = described("en").filter((c) => c.id === "headline");
    await toRuntime(before!.spec, true);
    const bump = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(bump)
        : v && typeof v === "object"
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, bump(x)]))
          : typeof v === "number"
            ? v + 1
            : v;
    const spec = JSON.parse(JSON.stringify(before!.spec));
    const data = spec.layer?.find((l: { data?: { values?: unknown[] } }) => (l.data?.values?.length ?? 0) > 10)?.data;
    expect(data?.values?.length).toBeGreaterThan(10); // the test changes a long series
    data.values = bump(data.values);
    spec.description = "another description";
    expect(vegaKey(withoutValues(spec).shape)).toBe(vegaKey(withoutValues(before!.spec).shape));
    expect(plain(await toRuntime(spec, true))).toEqual(made(spec));
    expect(vegaCode.added.size).toBe(1); // found, not compiled again
    // a change to anything else is another spec
    const titled = { ...before!.spec, title: "Another title" };
    expect(vegaKey(withoutValues(titled).shape)).not.toBe(vegaKey(withoutValues(before!.spec).shape));
  });

  it("an entry that is not JSON, or whose placeholder was changed, is compiled again", async () => {
    const [c] = described("nl");
    const { shape, parts } = withoutValues(c!.spec);
    const compiled = JSON.stringify(vega.parse(compile(shape as never).spec));
    expect(plain(fillIn(compiled, parts))).toEqual(made(c!.spec));
    expect(fillIn("{ not json", parts)).toBeUndefined();
    // a placeholder copied into a text (as a title quoting the description would) is not a whole value
    const quoted = JSON.parse(compiled);
    quoted.title = `see ${JSON.stringify(quoted.description)}`;
    expect(fillIn(JSON.stringify(quoted), parts)).toBeUndefined();
    fresh();
    vegaCode.known.set(vegaKey(shape), "{ not json");
    expect(plain(await toRuntime(c!.spec, true))).toEqual(made(c!.spec));
    expect(vegaCode.added.size).toBe(1);
  });

  it("kept in the machine's cache: a later run compiles nothing and draws the same SVGs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bulletin-cache-"));
    const fx = overlayEffects({}, { env: { ...process.env, BULLETIN_CACHE: dir } });
    fresh();
    const first = await renderCharts(described("en"), "en");
    expect(vegaCode.added.size).toBe(SECTION_IDS.length);
    await saveCompiledCode(fx);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, "vega-compiled.json"), "utf8")))).toHaveLength(
      SECTION_IDS.length,
    );
    fresh();
    await loadCompiledCode(fx);
    expect(vegaCode.known.size).toBe(SECTION_IDS.length);
    const second = await renderCharts(described("en"), "en");
    expect(vegaCode.added.size).toBe(0);
    expect(second.map((c) => c.svg)).toEqual(first.map((c) => c.svg));
    // the file keeps 40 entries; the ones a run used are kept ahead of ones it did not, even older ones
    const used = [...vegaCode.known.keys()];
    for (let i = 0; i < 50; i++) vegaCode.known.set(`unused-${i}`, "{}");
    await renderCharts(described("en"), "en"); // uses the figures' entries: none added
    await toRuntime({ ...described("en")[0]!.spec, title: "One more figure" }, true); // one added
    await saveCompiledCode(fx);
    const file = Object.keys(JSON.parse(readFileSync(join(dir, "vega-compiled.json"), "utf8")));
    expect(file).toHaveLength(40);
    for (const k of used) expect(file).toContain(k);
    expect(file).not.toContain("unused-0");
    // the batch's way: compiled and parsed every time, nothing kept, the same figures
    fresh();
    const batch = await renderCharts(described("en"), "en", undefined, { keptDataflows: false });
    expect(vegaCode.added.size).toBe(0);
    expect(batch.map((c) => c.svg)).toEqual(first.map((c) => c.svg));
    // no boundaries and no data values in the file: the map is kept without its thousands of coordinates
    expect(readFileSync(join(dir, "vega-compiled.json"), "utf8").length).toBeLessThan(400_000);
  });
});

describe("data tables", () => {
  it("one number of decimals per column, the language's separators, a true minus", () => {
    const rows = [
      ["Malta", 61.84, 1234],
      ["Cyprus", 33, -5678],
    ];
    const en = toTable(["geo", "rate", "n"], rows, "en");
    expect(en).toContain("<td>61.8</td><td>1,234</td>");
    expect(en).toContain("<td>33.0</td><td>\u22125,678</td>");
    const nl = toTable(["geo", "rate", "n"], rows, "nl");
    expect(nl).toContain("<td>61,8</td><td>1.234</td>");
    expect(nl).toContain("<td>33,0</td><td>\u22125.678</td>");
  });
});

describe("downloaded chart specifications", () => {
  it("a Dutch .vl.json re-rendered by vega alone (no locale given) writes Dutch numbers", async () => {
    const [headline] = await renderCharts(specsFor("nl").slice(0, 1), "nl");
    const spec = JSON.parse(headline!.specJson);
    const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
    const svg = await view.runAsync().then(() => view.toSVG());
    expect(svg).toMatch(/>\d{2,3}\.000</); // axis ticks such as 60.000
    expect(svg).not.toMatch(/>\d{2,3},000</);
    view.finalize();
  });
});
