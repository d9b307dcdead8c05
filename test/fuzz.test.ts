import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readConfig } from "../src/config/read-config.ts";
import { decodeUtf8, firstInvalidByte } from "../src/core/text.ts";
import { parseTable } from "../src/data/csv.ts";
import { parseFlows } from "../src/data/flows.ts";
import { TABLES } from "../src/data/read-datasets.ts";
import { InputError, type Problem } from "../src/errors/problem.ts";
import { dataText } from "./helpers.ts";

/**
 * Fuzzed readers: arbitrary bytes and arbitrary mutations of the real tables and config. The result is the table or
 * a list of located problems: never an exception, a hang or a partly read table (a table with no error has one row
 * per data line). fast-check prints the seed and the shrunk input of a failure (rerun with `seed` in fc.assert).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const real = {
  population: dataText("data/population.csv").split("\n").slice(0, 60).join("\n"),
  municipalities: dataText("data/codes/municipalities.csv").split("\n").slice(0, 60).join("\n"),
  flows: dataText("data/flows/flows-2024.csv.gz").split("\n").slice(0, 200).join("\n"),
  config: dataText("config.yml"),
};

/** A mutation of a text: a few bytes replaced, inserted or removed at random places. */
const mutated = (text: string) =>
  fc
    .array(
      fc.record({
        at: fc.nat({ max: Math.max(0, Buffer.byteLength(text) - 1) }),
        op: fc.constantFrom("replace", "insert", "delete"),
        byte: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x2c, 0x0a, 0x22, 0x0d, 0x2d, 0x2e, 0x3b)),
      }),
      { minLength: 1, maxLength: 4 },
    )
    .map((ops) => {
      let b = Buffer.from(text, "utf8");
      for (const o of ops) {
        const at = Math.min(o.at, b.length);
        const one = Buffer.from([o.byte]);
        b =
          o.op === "replace"
            ? Buffer.concat([b.subarray(0, at), one, b.subarray(at + 1)])
            : o.op === "insert"
              ? Buffer.concat([b.subarray(0, at), one, b.subarray(at)])
              : Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
      }
      return b;
    });
const bytesOrMutation = (text: string) =>
  fc.oneof(
    fc.uint8Array({ maxLength: 400 }).map((u) => Buffer.from(u)),
    mutated(text),
  );

/** Data lines of a CSV text as the reader counts them (non-empty, after the header). */
const dataLines = (text: string) =>
  text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "")
    .slice(1).length; // a blank line before the header is skipped like any blank line

function readTable(bytes: Buffer, columns: (typeof TABLES)[keyof typeof TABLES]) {
  const problems: Problem[] = [];
  const text = decodeUtf8("t.csv", bytes, problems);
  const table = text === undefined ? undefined : parseTable("t.csv", text, columns, problems);
  return { text, table, errors: problems.filter((p) => p.severity === "error") };
}

describe("fuzzed readers: the table, or located problems; never an exception or a partly read table", () => {
  it("the CSV reader, on arbitrary bytes and mutations of population.csv and municipalities.csv", () => {
    for (const [name, columns] of [
      ["population", TABLES.population],
      ["municipalities", TABLES.municipalities],
    ] as const)
      fc.assert(
        fc.property(bytesOrMutation(real[name]), (bytes) => {
          const r = readTable(bytes, columns);
          for (const p of r.errors) expect(p.file).toBe("t.csv");
          if (r.errors.length === 0) {
            // no error: every data line became a row, each with its line number
            expect(r.table!.rows.length).toBe(dataLines(r.text!));
            for (const row of r.table!.rows) expect(row.line).toBeGreaterThan(1);
          } else expect(r.errors.every((p) => typeof p.message === "string" && p.rule.length > 0)).toBe(true);
        }),
        { numRuns: RUNS },
      );
  });

  it("the flow parser, on arbitrary bytes and mutations of flows-2024", () => {
    fc.assert(
      fc.property(bytesOrMutation(real.flows), (bytes) => {
        const problems: Problem[] = [];
        const t = parseFlows("f.csv", bytes, problems);
        const errors = problems.filter((p) => p.severity === "error");
        if (errors.length === 0) {
          expect(t.length).toBe(dataLines(bytes.toString("utf8")));
          for (let i = 0; i < t.length; i++) expect(t.line[i]).toBeGreaterThan(1);
        } else for (const p of errors) expect(p.file).toBe("f.csv");
      }),
      { numRuns: RUNS },
    );
  });

  it("the config reader, on arbitrary text and mutations of config.yml", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          mutated(real.config).map((b) => b.toString("utf8")),
        ),
        (text) => {
          try {
            const c = readConfig(text, "config.yml");
            expect(typeof c.year).toBe("number");
          } catch (e) {
            expect(e).toBeInstanceOf(InputError);
            const problems = (e as InputError).problems;
            expect(problems.length).toBeGreaterThan(0);
            for (const p of problems) expect(p.file).toBe("config.yml");
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("the UTF-8 check agrees with a strict decoder and locates the first bad byte", () => {
    const strict = new TextDecoder("utf-8", { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (u) => {
        let ok = true;
        try {
          strict.decode(u);
        } catch {
          ok = false;
        }
        const at = firstInvalidByte(u);
        expect(at === u.length).toBe(ok);
        if (!ok) expect(() => strict.decode(u.subarray(0, at))).not.toThrow();
      }),
      { numRuns: RUNS * 3 },
    );
  });
});
