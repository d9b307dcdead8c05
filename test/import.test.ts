import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { beforeEach, describe, expect, it } from "vitest";
import yazl from "yazl";
import { render } from "../src/chain/pipeline.ts";
import { importEurostat, importStatbelPopulation } from "../src/commands/import.ts";
import { nodeEffects } from "../src/effects-node.ts";
import { memoryPrinterEffects, root, shared } from "./helpers.ts";

/*
 * The importers of the publishers' files: Eurostat's SDMX-CSV and JSON-stat 2.0, Statbel's population file (zip,
 * text, xlsx), with their flags and provenance; every bad input refused with a located message, data/ unchanged.
 */

const REAL = join(shared, "reference/eurostat-tps00176-sdmxcsv/estat_tps00176_en.csv");
const fx = nodeEffects({ quiet: true });
let dir: string;
let configPath: string;
const data = (rel: string) => readFileSync(join(dir, "data", rel), "utf8");
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "bulletin-import-"));
  cpSync(join(root, "data"), join(dir, "data"), { recursive: true });
  configPath = join(dir, "config.yml");
  writeFileSync(
    configPath,
    readFileSync(join(root, "config.yml"), "utf8").replace("  dir: data", `  dir: ${dir}/data`),
  );
});
const file = (name: string, text: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const euRows = () =>
  data("eu-comparison.csv")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(","));
const SDMX_HEADER =
  "DATAFLOW,LAST UPDATE,freq,citizen,agedef,age,unit,sex,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS";
const sdmx = (lines: string[]) => `${SDMX_HEADER}\n${lines.join("\n")}\n`;
const obs = (geo: string, year: number, value: string | number, flag = "", agedef = "COMPLET") =>
  `ESTAT:TPS00176(1.0),29/11/24 11:00:00,A,TOTAL,${agedef},TOTAL,NR,T,${geo},${year},${value},${flag},`;

describe("Eurostat SDMX-CSV: the real tps00176 download", () => {
  it("gives the file's immigrations for every country and year, keeps the flags, reports the codes left out", async () => {
    const report = await importEurostat({ configPath, files: [REAL] }, fx);
    const inFile = readFileSync(REAL, "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(","))
      .filter((r) => r[4] === "COMPLET");
    const euGeo = new Set(
      data("codes/eu-geo.csv")
        .split("\n")
        .slice(1)
        .map((l) => l.split(",")[0]),
    );
    const table = new Map(euRows().map((r) => [`${r[0]}|${r[1]}`, r]));
    let compared = 0;
    for (const r of inFile) {
      if (!euGeo.has(r[8]!)) continue;
      const row = table.get(`${r[9]}|${r[8]}`);
      expect(row?.[2], `${r[8]} ${r[9]}`).toBe(r[10]);
      expect(row?.[4], `${r[8]} ${r[9]} flag`).toBe(r[11]);
      compared++;
    }
    expect(compared).toBe(333);
    expect(table.get("2011|BE")?.[4]).toBe("b");
    expect(report).toContain(
      "skipped, not used by the bulletin (not in codes/eu-geo.csv): CH, GE, IS, LI, MD, ME, MK, NO, TR, UK",
    );
    // the population column kept its values
    expect(table.get("2019|AT")?.[3]).toBe("9020440");
    const prov = JSON.parse(data("provenance.json"));
    expect(prov.at(-1)).toMatchObject({
      source: "Eurostat",
      dataset: "tps00176",
      file: "estat_tps00176_en.csv",
      lastUpdate: "29/11/24 11:00:00",
      bytes: 69_295,
      linesRead: 848,
    });
    expect(prov.at(-1).sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("Eurostat JSON-stat 2.0 and the average population", () => {
  it("a JSON-stat 2.0 file of tps00176 gives the same values as its cube says, with status flags", async () => {
    const json = {
      version: "2.0",
      class: "dataset",
      label: "Immigration",
      updated: "2025-03-14T23:00:00+0100",
      extension: { datasetId: "TPS00176" },
      id: ["freq", "citizen", "agedef", "age", "unit", "sex", "geo", "time"],
      size: [1, 1, 1, 1, 1, 1, 2, 2],
      dimension: Object.fromEntries(
        [
          ["freq", ["A"]],
          ["citizen", ["TOTAL"]],
          ["agedef", ["COMPLET"]],
          ["age", ["TOTAL"]],
          ["unit", ["NR"]],
          ["sex", ["T"]],
          ["geo", ["AT", "MT"]],
          ["time", ["2022", "2023"]],
        ].map(([id, codes]) => [
          id,
          { category: { index: Object.fromEntries((codes as string[]).map((c, i) => [c, i])) } },
        ]),
      ),
      value: { "0": 150_000, "1": 160_000, "2": 30_000, "3": 31_000 },
      status: { "1": "p", "3": "ep" },
    };
    await importEurostat({ configPath, files: [file("tps00176.json", JSON.stringify(json))] }, fx);
    const t = new Map(euRows().map((r) => [`${r[0]}|${r[1]}`, r]));
    expect(t.get("2022|AT")?.slice(2, 5)).toEqual(["150000", t.get("2022|AT")![3], ""]);
    expect(t.get("2023|AT")?.[2]).toBe("160000");
    expect(t.get("2023|AT")?.[4]).toBe("p");
    expect(t.get("2023|MT")?.[4]).toBe("ep");
  });

  it("demo_gind (average population) updates the population column and keeps the immigrations", async () => {
    const before = new Map(euRows().map((r) => [`${r[0]}|${r[1]}`, r]));
    const text = `DATAFLOW,LAST UPDATE,freq,indic_de,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\nESTAT:DEMO_GIND(1.0),01/07/25 11:00:00,A,AVG,AT,2023,9130000,p\nESTAT:DEMO_GIND(1.0),01/07/25 11:00:00,A,JAN,AT,2023,9100000,\n`;
    await importEurostat({ configPath, files: [file("demo_gind.csv", text)] }, fx);
    const after = new Map(euRows().map((r) => [`${r[0]}|${r[1]}`, r]));
    expect(after.get("2023|AT")?.[3]).toBe("9130000");
    expect(after.get("2023|AT")?.[5]).toBe("p");
    expect(after.get("2023|AT")?.[2]).toBe(before.get("2023|AT")?.[2]);
  });
});

describe("bad Eurostat files are refused with the reason, and nothing is written", () => {
  const cases: [string, string, RegExp][] = [
    ["semicolons", SDMX_HEADER.replaceAll(",", ";"), /fewer than three comma-separated columns/],
    ["no OBS_VALUE", sdmx([obs("AT", 2022, 1)]).replace("OBS_VALUE", "VALUE"), /no OBS_VALUE column/],
    ["an unknown flag", sdmx([obs("AT", 2022, 100, "x")]), /:2: error: cannot import: unknown flag `x`/],
    ["a value that is not a number", sdmx([obs("AT", 2022, "12,5")]), /not CSV|:2: error: cannot import: value/],
    [
      "a value that is not a number (text)",
      sdmx([obs("AT", 2022, "n/a")]),
      /:2: error: cannot import: value `n\/a` is not a number/,
    ],
    ["another dataset", sdmx([obs("AT", 2022, 1)]).replace(/TPS00176/g, "MIGR_EMI2"), /dataset `MIGR_EMI2` is not one/],
    [
      "age definitions that disagree",
      sdmx([obs("AT", 2022, 100), obs("AT", 2022, 101, "", "REACH")]),
      /:3: error: cannot import: AT 2022: agedef=REACH gives 101, the value read gives 100/,
    ],
    ["a missing dimension", sdmx([obs("AT", 2022, 1)]).replace(",geo,", ",country,"), /no `geo` dimension/],
  ];
  it.each(cases)("%s", async (_name, text, message) => {
    const before = data("eu-comparison.csv");
    const err = await importEurostat({ configPath, files: [file("bad.csv", text)] }, fx).catch((e) => e);
    const shown = (err.problems ?? []).map(
      (p: { file: string; line?: number; message: string }) =>
        `${p.file}${p.line ? `:${p.line}` : ""}: error: ${p.message}`,
    );
    expect(shown.join("\n")).toMatch(message);
    expect(data("eu-comparison.csv")).toBe(before);
  });
});

/** A Statbel population file: `lines` of (municipality, district, province, region, population). */
const STATBEL_HEADER =
  "CD_REFNIS|TX_DESCR_NL|TX_DESCR_FR|CD_DSTR_REFNIS|TX_ADM_DSTR_DESCR_NL|TX_ADM_DSTR_DESCR_FR|CD_PROV_REFNIS|TX_PROV_DESCR_NL|TX_PROV_DESCR_FR|CD_RGN_REFNIS|TX_RGN_DESCR_NL|TX_RGN_DESCR_FR|CD_SEX|CD_NATLTY|TX_NATLTY_NL|TX_NATLTY_FR|CD_CIV_STS|TX_CIV_STS_NL|TX_CIV_STS_FR|CD_AGE|MS_POPULATION";
const statbelLine = (m: string, d: string, p: string, r: string, n: number | string, sex = "F") =>
  `${m}|Gemeente|Commune|${d}|Arr|Arr|${p}|Prov|Prov|${r}|Gewest|Région|${sex}|BEL|Belg|Belge|1|Ongehuwd|Célibataire|30|${n}`;
const statbelText = () =>
  `\uFEFF${[
    STATBEL_HEADER,
    statbelLine("24062", "24000", "20001", "02000", 50_000),
    statbelLine("24062", "24000", "20001", "02000", 52_000, "M"),
    statbelLine("73028", "73000", "70000", "02000", 85),
    statbelLine("21004", "21000", "", "04000", 190_000),
    statbelLine("62063", "62000", "60000", "03000", 195_000),
  ].join("\r\n")}\r\n`;
const zipOf = (name: string, text: string) =>
  new Promise<Buffer>((resolve) => {
    const z = new yazl.ZipFile();
    z.addBuffer(Buffer.from(text), name);
    z.end();
    const chunks: Buffer[] = [];
    z.outputStream.on("data", (c: Buffer) => chunks.push(c));
    z.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
  });

describe("Statbel's population file", () => {
  const check = () => {
    const rows = new Map(
      data("population.csv")
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("2030,"))
        .map((l) => l.split(","))
        .map((r) => [r[1], Number(r[2])]),
    );
    expect(rows.get("24062")).toBe(102_000); // Leuven: the two lines added up
    expect(rows.get("73028")).toBe(85);
    expect(rows.get("24000")).toBe(102_000); // its arrondissement, province and region too
    expect(rows.get("20001")).toBe(102_000);
    expect(rows.get("02000")).toBe(102_085);
    expect(rows.get("04000")).toBe(190_000);
    expect(rows.get("21004")).toBeUndefined(); // not in the code list: counted in its region only
  };
  it("the zip as published (pipe-delimited, BOM, CRLF)", async () => {
    const zip = file("TF_SOC_POP_STRUCT_2030.zip", await zipOf("TF_SOC_POP_STRUCT_2030.txt", statbelText()));
    const report = await importStatbelPopulation({ configPath, file: zip }, fx);
    expect(report).toContain("population on 1 January 2030");
    check();
    expect(JSON.parse(data("provenance.json")).at(-1)).toMatchObject({ source: "Statbel", linesRead: 5 });
  });
  it("the text file", async () => {
    await importStatbelPopulation({ configPath, file: file("TF_SOC_POP_STRUCT_2030.txt", statbelText()) }, fx);
    check();
  });
  it("the .xlsx", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("TF_SOC_POP_STRUCT_2030");
    for (const l of statbelText().replace("\uFEFF", "").trim().split("\r\n")) ws.addRow(l.split("|"));
    const path = join(dir, "TF_SOC_POP_STRUCT_2030.xlsx");
    await wb.xlsx.writeFile(path);
    await importStatbelPopulation({ configPath, file: path }, fx);
    check();
  });

  it("Brussels' province given as its region's code (04000|04000): the same totals as with it empty, and a warning", async () => {
    const report = await importStatbelPopulation(
      {
        configPath,
        file: file("TF_SOC_POP_STRUCT_2030.txt", statbelText().replace("|21000|Arr|Arr||", "|21000|Arr|Arr|04000|")),
      },
      fx,
    );
    check(); // 04000 is 190,000, not twice that
    expect(report).toMatch(
      /warning: .*TF_SOC_POP_STRUCT_2030\.txt:5: the province code equals the region code on 1 line\(s\)/,
    );
  });
  it("a municipality in another arrondissement than the code list's: refused with the line, nothing written", async () => {
    const before = data("population.csv");
    const wrong = statbelText().replace("73028|Gemeente|Commune|73000", "73028|Gemeente|Commune|71000");
    const err = await importStatbelPopulation(
      { configPath, file: file("TF_SOC_POP_STRUCT_2030.txt", wrong) },
      fx,
    ).catch((e) => e);
    expect(err.problems[0].line).toBe(4);
    expect(err.problems[0].message).toContain(
      "municipality 73028 (Herstappe) lies in arrondissement 71000 in the file, in 73000",
    );
    expect(data("population.csv")).toBe(before);
  });

  const bad: [string, () => Promise<string>, RegExp][] = [
    [
      "a comma-delimited file",
      async () => file("TF_SOC_POP_STRUCT_2030.txt", statbelText().replaceAll("|", ",")),
      /:1: error: cannot import: the header has 1 column\(s\): the file is not separated by \|/,
    ],
    [
      "a missing column",
      async () => file("TF_SOC_POP_STRUCT_2030.txt", statbelText().replace("MS_POPULATION", "POPULATION")),
      /:1: error: cannot import: no column MS_POPULATION/,
    ],
    [
      "a value that is not a number",
      async () => file("TF_SOC_POP_STRUCT_2030.txt", statbelText().replace("|85\r\n", "|8x5\r\n")),
      /:4: error: cannot import: MS_POPULATION `8x5` is not a whole number/,
    ],
    [
      "a line with a column too few",
      async () => file("TF_SOC_POP_STRUCT_2030.txt", statbelText().replace("|30|85", "|85")),
      /:4: error: cannot import: wrong number of columns/,
    ],
    [
      "a truncated zip",
      async () => {
        const z = await zipOf("TF_SOC_POP_STRUCT_2030.txt", statbelText());
        return file("TF_SOC_POP_STRUCT_2030.zip", z.subarray(0, z.length - 30));
      },
      /error: cannot import: not a readable zip/,
    ],
  ];
  it.each(bad)("%s: refused with file and line, population.csv unchanged", async (_n, make, message) => {
    const before = data("population.csv");
    const err = await importStatbelPopulation({ configPath, file: await make() }, fx).catch((e) => e);
    const shown = (err.problems ?? [{ file: "?", message: String(err) }])
      .map(
        (p: { file: string; line?: number; message: string }) =>
          `${p.file}${p.line ? `:${p.line}` : ""}: error: ${p.message}`,
      )
      .join("\n");
    expect(shown).toMatch(message);
    expect(data("population.csv")).toBe(before);
  });
});

describe("an edition built on imported provisional values says so", () => {
  it("the chart, the table, the note and the text mark the provisional EU27 and Flemish values of 2023", async () => {
    // the 2023 values as they are, now flagged: EU27 provisional, the Flemish Region estimated and provisional
    const rows = euRows().filter((r) => r[0] === "2023");
    const lines = rows.map((r) => obs(r[1]!, 2023, r[2]!, r[1] === "EU27_2020" ? "p" : r[1] === "BE2" ? "ep" : ""));
    await importEurostat({ configPath, files: [file("flags.csv", sdmx(lines))] }, fx);
    const built = await render(
      { configPath, year: 2024, formats: ["html"], outDir: mkdtempSync(join(tmpdir(), "flags-")) },
      memoryPrinterEffects(),
    );
    const en = built.areas[0]!.editions.find((e) => e.key.lang === "en")!;
    const nl = built.areas[0]!.editions.find((e) => e.key.lang === "nl")!;
    const text = (e: typeof en) => e.narrative.sections["eu-comparison"]!.body.replace(/<[^>]*>/g, "");
    expect(text(en)).toContain("in the Flemish Region (10.1, provisional, estimated)");
    expect(text(en)).toContain("European Union (EU27) (13.2, provisional)");
    expect(text(nl)).toContain("(13,2, voorlopig)");
    const source = /<p class="source">[^<]*<\/p>/g;
    const sources = en.html.slice(en.html.indexOf('id="fig-eu-comparison"')).match(source) ?? [];
    expect(sources[0]).toContain("Eurostat&#x27;s flags: e &#x3D; estimated; p &#x3D; provisional.");
    const chart = en.charts.find((c) => c.id === "eu-comparison")!;
    expect(chart.svg).toContain("13.2 p");
    expect(chart.table).toMatch(/<td>European Union \(EU27\)<\/td><td>13\.2<\/td><td>p<\/td>/);
    expect(chart.csv).toMatch(/2023,EU27_2020,[^\r]*,p,/);
    expect(en.html).toContain("Imported from Eurostat tps00176 (flags.csv, last updated 29/11/24 11:00:00)");
    expect(built.areas[0]!.indicators.meta.provenance.at(-1)?.dataset).toBe("tps00176");
  });
});
