import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatProblem, type Problem } from "../src/errors/problem.ts";
import { configPath, dataText, overlayEffects, prepare, replaceLine } from "./helpers.ts";

const FLOWS = "data/flows/flows-2024.csv.gz";
const flows = dataText(FLOWS);
const longSeries = dataText("data/long-series.csv");
const population = dataText("data/population.csv");
const eu = dataText("data/eu-comparison.csv");
const nationalities = dataText("data/codes/nationalities.csv");
const municipalities = dataText("data/codes/municipalities.csv");
const lineOf = (text: string, prefix: string) => text.split("\n").findIndex((l) => l.startsWith(prefix)) + 1;
const withField = (line: string, i: number, v: string) =>
  line
    .split(",")
    .map((f, k) => (k === i ? v : f))
    .join(",");
const withoutLine = (text: string, n: number) =>
  text
    .split("\n")
    .filter((_, i) => i !== n - 1)
    .join("\n");

async function problems(overrides: Record<string, string>, year?: number): Promise<Problem[]> {
  const prep = await prepare({ configPath, year }, overlayEffects(overrides));
  return prep.problems.filter((p) => p.severity === "error");
}

// A fresh NIS code one digit away from a real one, so the hint can suggest it.
const realNis = municipalities
  .split("\n")
  .slice(1)
  .filter(Boolean)
  .map((l) => l.split(",")[0]!);
const fakeNis = (() => {
  for (const n of realNis)
    for (let d = 0; d <= 9; d++) {
      const c = `${n.slice(0, 4)}${d}`;
      if (!realNis.includes(c)) return { code: c, near: n };
    }
  throw new Error("no free code");
})();

interface Case {
  rule: string;
  files: Record<string, string>;
  file: string;
  line?: number;
  column?: number;
  message: string;
  hint?: string;
}
const ls2024 = lineOf(longSeries, "2024,02000,immigration");
const bertem2023 = lineOf(population, "2023,24009,");
const fl2024 = lineOf(population, "2024,02000,");
const be2023 = lineOf(eu, "2023,BE,");
const cases: Case[] = [
  {
    rule: "bad-header",
    files: { "data/long-series.csv": longSeries.replace("direction,count,", "direction,cnt,") },
    file: "data/long-series.csv",
    line: 1,
    message: "missing column(s) `count`; unexpected `cnt`",
    hint: "the header must name these columns (any order): year,region,direction,count,break_in_series",
  },
  {
    rule: "not-integer",
    files: { [FLOWS]: replaceLine(flows, 2, (l) => withField(l, 6, "12.5")) },
    file: FLOWS,
    line: 2,
    column: 7,
    message: "`count` is not a non-negative integer: `12.5`",
  },
  {
    rule: "negative-count",
    files: { "data/long-series.csv": replaceLine(longSeries, ls2024, (l) => withField(l, 3, "-5")) },
    file: "data/long-series.csv",
    line: ls2024,
    column: 4,
    message: "`count` is not a non-negative integer: `-5`",
  },
  {
    rule: "duplicate-key",
    files: { "data/population.csv": `${population}${population.split("\n")[1]}\n` },
    file: "data/population.csv",
    line: population.split("\n").length,
    message: `duplicate year × nis × geography (${population.split("\n")[1]!.split(",").slice(0, 2).join(", ")}, ${population.split("\n")[1]!.split(",")[0]}), first on line 2`,
  },
  {
    rule: "duplicate-key",
    files: { [FLOWS]: `${flows}${flows.split("\n")[1]}\n` },
    file: FLOWS,
    line: flows.split("\n").length,
    message: "first on line 2",
  },
  {
    rule: "unknown-code",
    files: { [FLOWS]: replaceLine(flows, 2, (l) => withField(l, 1, fakeNis.code)) },
    file: FLOWS,
    line: 2,
    column: 2,
    message: `municipality \`${fakeNis.code}\` is not in data/codes/municipalities.csv`,
    hint: `did you mean ${fakeNis.near}`,
  },
  {
    rule: "unknown-code",
    files: { [FLOWS]: replaceLine(flows, 5, (l) => withField(l, 4, "ro")) },
    file: FLOWS,
    line: 5,
    column: 5,
    message: "nationality `ro` is not in data/codes/nationalities.csv",
    hint: "did you mean RO (Romania)?",
  },
  {
    rule: "unknown-code",
    files: { [FLOWS]: replaceLine(flows, 3, (l) => withField(l, 3, "deletion")) },
    file: FLOWS,
    line: 3,
    column: 4,
    message: "component `deletion` is not a component of",
  },
  {
    rule: "wrong-year",
    files: { [FLOWS]: replaceLine(flows, 7, (l) => withField(l, 0, "2023")) },
    file: FLOWS,
    line: 7,
    message: "year 2023 in the flow table of 2024",
  },
  {
    rule: "missing-municipality",
    files: { "data/population.csv": withoutLine(population, bertem2023) },
    file: "data/population.csv",
    message: "no population of Bertem (24009) on 1 January 2023",
    hint: "add the line `2023,24009,POPULATION`",
  },
  {
    rule: "missing-year",
    files: { "data/long-series.csv": withoutLine(longSeries, lineOf(longSeries, "2005,02000,immigration")) },
    file: "data/long-series.csv",
    message: "no immigration for 2005 in region 02000",
  },
  {
    rule: "flows-disagree",
    files: { "data/long-series.csv": replaceLine(longSeries, ls2024, (l) => withField(l, 3, "94373")) },
    file: "data/long-series.csv",
    line: ls2024,
    message:
      "immigration 2024 of region 02000 is 94373 here, but the flows in data/flows/flows-2024.csv.gz add up to 94372",
  },
  {
    rule: "totals-mismatch",
    files: {
      "data/population.csv": replaceLine(population, fl2024, (l) =>
        withField(l, 2, String(Number(l.split(",")[2]) + 1)),
      ),
    },
    file: "data/population.csv",
    line: fl2024,
    message: "population of region 02000 on 1 January 2024",
  },
  {
    rule: "totals-mismatch",
    files: {
      "data/eu-comparison.csv": replaceLine(eu, be2023, (l) => withField(l, 2, String(Number(l.split(",")[2]) + 1))),
    },
    file: "data/eu-comparison.csv",
    line: be2023,
    message: "Belgium's immigrations in 2023",
  },
  {
    rule: "inconsistent-break",
    files: {
      "data/long-series.csv": replaceLine(longSeries, lineOf(longSeries, "2011,03000,emigration"), (l) =>
        withField(l, 4, "1"),
      ),
    },
    file: "data/long-series.csv",
    line: lineOf(longSeries, "2011,03000,emigration"),
    message: "break_in_series for 2011 differs",
  },
  {
    rule: "bad-group",
    files: { "data/codes/nationalities.csv": nationalities.replace("AT,EU27,", "AT,EU,") },
    file: "data/codes/nationalities.csv",
    line: lineOf(nationalities, "AT,"),
    message: "group `EU` of AT is not one of BE, EU27, non-EU",
  },
];

describe("validation: each rule has a fixture that triggers it", () => {
  it("the hierarchy adds up: a municipality whose arrondissement lies in another province elsewhere, or a code of the wrong level", async () => {
    const lines = municipalities.split("\n");
    const i = lines.findIndex((l) => l.startsWith("73028,"));
    lines[i] = lines[i]!.replace(",73000,70000,", ",73000,10000,");
    const found = await problems({ "data/codes/municipalities.csv": lines.join("\n") });
    const h = found.find((p) => p.rule === "bad-hierarchy")!;
    expect([h.file, h.line]).toEqual(["data/codes/municipalities.csv", i + 1]);
    expect(h.message).toMatch(
      /^Herstappe lies in 73000 and province 10000, but 73000 lies in province 70000 on line \d+$/,
    );
    const wrongLevel = municipalities.replace(/^73028,Herstappe,73000,/m, "73028,Herstappe,70000,");
    const l = (await problems({ "data/codes/municipalities.csv": wrongLevel })).find((p) => p.rule === "bad-level")!;
    expect(l.message).toContain("arrondissement `70000` of Herstappe is a province in data/codes/areas.csv");
  });

  it("the shipped data has no errors", async () => {
    expect(await problems({})).toEqual([]);
  });

  it.each(cases.map((c) => [`${c.rule}: ${c.message}`, c] as const))("%s", async (_name, c) => {
    const ps = await problems(c.files);
    const hit = ps.find((p) => p.rule === c.rule && p.file === c.file && p.message.includes(c.message));
    expect(hit, `got:\n${ps.map(formatProblem).join("\n")}`).toBeDefined();
    if (c.line !== undefined) expect(hit?.line).toBe(c.line);
    if (c.column !== undefined) expect(hit?.column).toBe(c.column);
    if (c.hint !== undefined) expect(hit?.hint).toContain(c.hint);
  });

  it("collects every problem instead of stopping at the first", async () => {
    const ps = await problems({
      [FLOWS]: replaceLine(
        replaceLine(flows, 2, (l) => withField(l, 6, "x")),
        3,
        (l) => withField(l, 5, "Q"),
      ),
      "data/long-series.csv": withoutLine(longSeries, lineOf(longSeries, "1999,04000,emigration")),
    });
    expect(new Set(ps.map((p) => p.rule))).toEqual(
      new Set(["not-integer", "bad-sex", "missing-year", "flows-disagree"]),
    );
  });

  it("a BOM and Windows line ends are tolerated; a gzip table may also be plain text", async () => {
    const ps = await problems({
      "data/population.csv": `\uFEFF${population.replaceAll("\n", "\r\n")}`,
      [FLOWS]: `\uFEFF${flows}`,
    });
    expect(ps).toEqual([]);
  });

  it("a missing file names the table and the config key", async () => {
    const cfg = readFileSync(configPath, "utf8").replace(
      "flows: flows/flows-{year}.csv.gz",
      "flows: flows/flows-{year}.csv.gz\n  population: nowhere.csv",
    );
    const prep = await prepare({ configPath: "alt.yml" }, overlayEffects({ "alt.yml": cfg }));
    const p = prep.problems.find((x) => x.rule === "missing-file");
    expect(p?.file).toBe("data/nowhere.csv");
    expect(p?.hint).toContain("table `population`");
  });

  it("problems print as file:line:col, message, rule and hint", () => {
    expect(
      formatProblem({
        file: "a.csv",
        line: 3,
        column: 7,
        rule: "not-integer",
        message: "bad",
        hint: "fix",
        severity: "error",
      }),
    ).toBe("a.csv:3:7: error: bad [not-integer]\n  hint: fix");
  });
});
