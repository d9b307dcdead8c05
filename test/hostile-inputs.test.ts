import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { build, check } from "../src/commands/build.ts";
import { parseTable } from "../src/data/csv.ts";
import { FLOW_COLUMNS, parseFlows } from "../src/data/flows.ts";
import { TABLES as TABLE_SPECS, type TableName } from "../src/data/read-datasets.ts";
import type { Problem } from "../src/errors/problem.ts";
import { configPath, memoryPrinterEffects, overlayEffects, root } from "./helpers.ts";

/**
 * Each shipped table and config.yml, corrupted in each of the ways a user's files go wrong (the test makes the
 * corruptions itself): `check` refuses every one with a located problem (file and line), and `build` the first of
 * each file (both read and validate through one step); the earlier output keeps its bytes and dates, and a BOM with
 * CRLF line ends is accepted. In-process: the command line prints
 * exactly these problems (test/cli-failures.test.ts checks that no failure prints a stack trace).
 */
const config = readFileSync(configPath, "utf8");
const TEST_CONFIG = "hostile.yml";

/** table path → the index of its numeric column (undefined: a code list of text only) */
const TABLES: Record<string, number | undefined> = {
  "data/codes/municipalities.csv": 0,
  "data/codes/areas.csv": 0,
  "data/codes/nationalities.csv": undefined,
  "data/codes/components.csv": undefined,
  "data/codes/eu-geo.csv": undefined,
  "data/long-series.csv": 3,
  "data/population.csv": 2,
  "data/eu-comparison.csv": 2,
  "data/flows/flows-2024.csv.gz": 6,
};
const text = (path: string) => {
  const b = readFileSync(join(root, path));
  return (path.endsWith(".gz") ? gunzipSync(b) : b).toString("utf8");
};
const onLine = (t: string, n: number, f: (fields: string[]) => string[]) => {
  const lines = t.split("\n");
  lines[n - 1] = f(lines[n - 1]!.split(",")).join(",");
  return lines.join("\n");
};
const setCell = (col: number, v: string) => (t: string) => onLine(t, 2, (f) => f.map((x, i) => (i === col ? v : x)));

type Corruption = [name: string, f: (t: string) => string | Buffer, numeric?: boolean];
const CORRUPTIONS: Corruption[] = [
  ["a non-number", (t) => t, true], // replaced per table below
  ["a negative", (t) => t, true],
  ["a decimal", (t) => t, true],
  ["a 21-digit number", (t) => t, true],
  ["a missing column", (t) => onLine(t, 2, (f) => f.slice(0, -1))],
  ["an extra column", (t) => onLine(t, 2, (f) => [...f, "x"])],
  ["a duplicate line", (t) => t.replace(/\n([^\n]*)\n/, "\n$1\n$1\n")],
  ["a misspelt header", (t) => t.replace(/^(\w)(\w)/, "$2$1")],
  ["an empty file", () => ""],
  ["a header-only file", (t) => `${t.split("\n")[0]}\n`],
  ["semicolons", (t) => t.replaceAll(",", ";")],
  [
    "invalid UTF-8",
    (t) => {
      const [head, line2, ...rest] = t.split("\n");
      return Buffer.concat([
        Buffer.from(`${head}\n${line2!.slice(0, 3)}`),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(`${line2!.slice(3)}\n${rest.join("\n")}`),
      ]);
    },
  ],
  [
    "a truncated last line",
    (t) => {
      const lines = t.trimEnd().split("\n");
      const last = lines.pop()!;
      return `${lines.join("\n")}\n${last.slice(0, last.indexOf(",") + 2)}`;
    },
  ],
];
const NUMERIC: Record<string, string> = {
  "a non-number": "12a",
  "a negative": "-5",
  "a decimal": "12.5",
  "a 21-digit number": "100000000000000000000",
};

const CONFIG_CORRUPTIONS: [string, (t: string) => string][] = [
  ["an unclosed quote", (t) => t.replace("  en: International migration", '  en: "International migration')],
  ["a misspelt key", (t) => t.replace("languages:", "langauges:")],
  ["a wrong type", (t) => t.replace("year: 2024", "year: twenty")],
  ["a missing key", (t) => t.replace(/^year: 2024\n/m, "")],
  ["a tab", (t) => t.replace("  en: International migration", "\ten: International migration")],
  ["a duplicate key", (t) => t.replace("year: 2024", "year: 2024\nyear: 2023")],
];

const bytes = (x: string | Buffer, gz: boolean) => {
  const b = typeof x === "string" ? Buffer.from(x, "utf8") : x;
  return gz ? gzipSync(b) : b;
};
const errorsOf = async (f: () => Promise<{ problems: Problem[] } | unknown>): Promise<Problem[]> => {
  try {
    const r = (await f()) as { problems?: Problem[] };
    return (r.problems ?? []).filter((p) => p.severity === "error");
  } catch (e) {
    const problems = (e as { problems?: Problem[] }).problems;
    if (!problems) throw e; // anything but a located refusal fails the test
    return problems.filter((p) => p.severity === "error");
  }
};

let out: string;
let before: Map<string, { hash: string; mtime: number }>;
const snapshot = (dir: string) => {
  const m = new Map<string, { hash: string; mtime: number }>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else m.set(p, { hash: createHash("sha256").update(readFileSync(p)).digest("hex"), mtime: statSync(p).mtimeMs });
    }
  };
  walk(dir);
  return m;
};
beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), "bulletin-hostile-"));
  await build({ configPath: TEST_CONFIG, outDir: out, formats: ["html"] }, overlayEffects({ [TEST_CONFIG]: config }));
  before = snapshot(out);
});

const cases: [string, string, Record<string, string | Buffer>][] = [];
for (const [path, numeric] of Object.entries(TABLES))
  for (const [name, f, isNumeric] of CORRUPTIONS) {
    if (isNumeric && numeric === undefined) continue;
    const corrupt = isNumeric ? setCell(numeric!, NUMERIC[name]!) : f;
    cases.push([path, name, { [path]: bytes(corrupt(text(path)), path.endsWith(".gz")), [TEST_CONFIG]: config }]);
  }
for (const [name, f] of CONFIG_CORRUPTIONS) cases.push([TEST_CONFIG, name, { [TEST_CONFIG]: f(config) }]);
cases.push([
  TEST_CONFIG,
  "invalid UTF-8",
  {
    [TEST_CONFIG]: Buffer.concat([
      Buffer.from(config.replace("International migration", "International migr")),
      Buffer.from([0xe9]),
    ]),
  },
]);
for (const path of ["data/codes/municipalities.csv", "data/codes/nationalities.csv"])
  cases.push([
    path,
    "a control character in a name",
    { [path]: text(path).replace(/\n([^,\n]*),([^,\n]*)/, "\n$1,$2\u0007"), [TEST_CONFIG]: config },
  ]);

// `build` reads and validates through the same step as `check` (prepareYear, chain/prepare.ts): it is given the first
// corruption of each file, `check` every one
const firstOfFile = new Set(
  cases.filter((c, i) => cases.findIndex((d) => d[0] === c[0]) === i).map((c) => c[1] + c[0]),
);
describe("every shipped table and config.yml, corrupted: refused by check (and build) with file and line", () => {
  it.each(cases)("%s with %s", async (path, name, overrides) => {
    const commands = firstOfFile.has(name + path) ? [check, build] : [check];
    for (const command of commands) {
      const errors = await errorsOf(() =>
        command({ configPath: TEST_CONFIG, outDir: out, formats: ["html"] }, memoryPrinterEffectsWith(overrides)),
      );
      const located = errors.filter((p) => p.file.endsWith(path) && p.line !== undefined);
      expect(located.length, `${command.name}: ${JSON.stringify(errors.slice(0, 3))}`).toBeGreaterThan(0);
    }
  });

  it("a BOM and CRLF line ends are accepted in every table", async () => {
    const overrides: Record<string, string | Buffer> = { [TEST_CONFIG]: config };
    for (const path of Object.keys(TABLES))
      overrides[path] = bytes(`\uFEFF${text(path).replaceAll("\n", "\r\n")}`, path.endsWith(".gz"));
    expect(await errorsOf(() => check({ configPath: TEST_CONFIG }, memoryPrinterEffectsWith(overrides)))).toEqual([]);
  });

  it("the earlier output kept every byte and date", () => {
    expect(snapshot(out)).toEqual(before);
  });
});

function memoryPrinterEffectsWith(overrides: Record<string, string | Buffer>) {
  const fx = overlayEffects(overrides);
  return { ...fx, printer: memoryPrinterEffects().printer };
}

/** A name misspelt as a typing hand does: two letters in its middle swapped (`population` → `popualtion`). */
const misspelt = (name: string) => {
  const i = Math.floor(name.length / 2) - 1;
  return name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
};
const SPEC_OF: Record<string, TableName | "flows"> = {
  "data/codes/municipalities.csv": "municipalities",
  "data/codes/areas.csv": "areas",
  "data/codes/nationalities.csv": "nationalities",
  "data/codes/components.csv": "components",
  "data/codes/eu-geo.csv": "euGeo",
  "data/long-series.csv": "longSeries",
  "data/population.csv": "population",
  "data/eu-comparison.csv": "euComparison",
  "data/flows/flows-2024.csv.gz": "flows",
};

describe("a misspelt column of any table: named with its file, header line and a did-you-mean, before any stage", () => {
  const cases = Object.entries(SPEC_OF).flatMap(([file, name]) => {
    const header = text(file)
      .split("\n")[0]!
      .replace(/^\uFEFF/, "")
      .replace(/\r$/, "")
      .split(",");
    const known = name === "flows" ? [...FLOW_COLUMNS] : TABLE_SPECS[name].map((c) => c.name);
    // every column the shipped file has, required or optional
    return header.filter((h) => known.includes(h)).map((column) => ({ file, name, column }));
  });
  it("covers every column of every table", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });
  it.each(cases)("$file: `$column` misspelt", ({ file, name, column }) => {
    const lines = text(file).split("\n");
    const wrong = misspelt(column);
    lines[0] = lines[0]!
      .split(",")
      .map((h) => (h === column ? wrong : h))
      .join(",");
    const problems: Problem[] = [];
    const body = lines.join("\n");
    if (name === "flows") parseFlows(file, Buffer.from(body), problems);
    else parseTable(file, body, TABLE_SPECS[name], problems);
    const p = problems[0]!;
    expect([p.file, p.line, p.severity], JSON.stringify(problems)).toEqual([file, 1, "error"]);
    expect(p.message).toContain(`\`${wrong}\``);
    expect(`${p.message} ${p.hint}`).toContain(`did you mean \`${column}\``);
  });
  it("check reports eu-comparison.csv's `populaton` as the data's problem, not a template's", async () => {
    const t = text("data/eu-comparison.csv").replace(/^(.*?)population/, "$1populaton");
    const r = await check({ configPath }, overlayEffects({ "data/eu-comparison.csv": t }));
    const errors = r.problems.filter((p) => p.severity === "error");
    expect(errors.map((p) => [p.file, p.line, p.rule])).toEqual([["data/eu-comparison.csv", 1, "unknown-column"]]);
    expect(errors[0]!.hint).toContain("did you mean `population`?");
  });
});
