import { parse } from "csv-parse/sync";
import { CONTROL } from "../core/text.ts";
import { problem, type RuleId } from "../errors/messages.ts";
import { didYouMean, type Problem } from "../errors/problem.ts";
import { COUNT_LIMIT } from "./limits.ts";

export type ColumnType = "string" | "count" | "year" | "nis" | "flag" | "number";
export interface ColumnSpec {
  name: string;
  type: ColumnType;
  optional?: boolean;
}
/** A parsed row keeps the line it came from, so every later check can point back into the file. */
export type Row = Record<string, string | number> & { line: number };
export interface Table {
  file: string;
  rows: Row[];
}

/** What each column type accepts, and the rule (errors/messages.ts) of a value it refuses. */
const checks: Record<ColumnType, { test: (v: string) => boolean; rule: RuleId }> = {
  string: { test: (v) => v.length > 0, rule: "bad-string" },
  count: { test: (v) => /^\d+$/.test(v), rule: "not-integer" },
  year: { test: (v) => /^\d{4}$/.test(v), rule: "bad-year" },
  nis: { test: (v) => /^\d{5}$/.test(v), rule: "bad-nis" },
  flag: { test: (v) => v === "0" || v === "1", rule: "bad-flag" },
  number: { test: (v) => /^-?\d+(\.\d+)?$/.test(v), rule: "bad-number" },
};

/**
 * Reads a tidy CSV table (UTF-8, BOM tolerated). Collects every problem (bad header, bad value) instead of stopping.
 * Tables without quotes (the large flow tables are codes and integers only) take a fast split path: csv-parse costs
 * ~300 ms per year of flows here, the split ~40 ms; any line with a quote sends the whole file through csv-parse.
 */
export function parseTable(file: string, text: string, columns: ColumnSpec[], problems: Problem[]): Table {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let records: { fields: string[]; line: number }[];
  if (!body.includes('"')) {
    records = [];
    const lines = body.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i] as string;
      if (l.length) records.push({ fields: l.split(","), line: i + 1 });
    }
  } else {
    try {
      const parsed = parse(body, { info: true, skip_empty_lines: true, relax_column_count: true }) as unknown as {
        record: string[];
        info: { lines: number };
      }[];
      records = parsed.map((r) => ({ fields: r.record, line: r.info.lines }));
    } catch (e) {
      const err = e as { message: string; lines?: number };
      problems.push(
        problem("csv-syntax", { file, ...(err.lines ? { line: err.lines } : {}) }, { detail: err.message }),
      );
      return { file, rows: [] };
    }
  }
  const header = records.shift();
  if (!header) {
    problems.push(problem("bad-header/empty", { file, line: 1 }, { expected: columns.map((c) => c.name) }));
    return { file, rows: [] };
  }
  const names = header.fields.map((f) => f.trim());
  const index = new Map(names.map((n, i) => [n, i]));
  const missing = columns.filter((c) => !c.optional && !index.has(c.name));
  const unknown = names.filter((n) => !columns.some((c) => c.name === n));
  if (missing.length) {
    problems.push(
      problem(
        "bad-header",
        { file, line: header.line, column: 1 },
        { missing: missing.map((c) => c.name), unexpected: unknown, expected: columns.map((c) => c.name) },
      ),
    );
    return { file, rows: [] };
  }
  // a column the table does not have: a misspelt one (an optional column misspelt would otherwise be read as
  // absent, and a later stage be the first to miss it), or one of another table
  if (unknown.length) {
    for (const n of unknown) {
      const absent = columns.filter((c) => !index.has(c.name)).map((c) => c.name);
      problems.push(
        problem(
          "unknown-column",
          { file, line: header.line, column: names.indexOf(n) + 1 },
          { column: n, guess: didYouMean(n, absent), expected: columns.map((c) => c.name) },
        ),
      );
    }
    return { file, rows: [] };
  }
  const rows: Row[] = [];
  const colPos = columns.map((c) => [c, index.get(c.name)] as const);
  for (const rec of records) {
    if (rec.fields.length !== names.length) {
      problems.push(
        problem("column-count", { file, line: rec.line }, { found: rec.fields.length, expected: names.length }),
      );
      continue;
    }
    const row = { line: rec.line } as Row;
    let ok = true;
    for (const [c, i] of colPos) {
      if (i === undefined) continue;
      const v = (rec.fields[i] as string).trim();
      if (v === "" && c.optional) continue;
      const where = { file, line: rec.line, column: i + 1 };
      const ctl = CONTROL.exec(v);
      if (ctl) {
        ok = false;
        const code = ctl[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
        problems.push(problem("control-character", where, { column: c.name, code }));
        continue;
      }
      if (c.type === "count" && /^\d{10,}$/.test(v)) {
        ok = false;
        problems.push(problem("too-large", where, { column: c.name, ...COUNT_LIMIT, value: v }));
        continue;
      }
      const check = checks[c.type];
      if (!check.test(v)) {
        ok = false;
        const rule = c.type === "count" && /^-\d/.test(v) ? "negative-count" : check.rule;
        problems.push(problem(rule, where, { column: c.name, value: v }));
        continue;
      }
      row[c.name] = c.type === "count" || c.type === "year" || c.type === "number" || c.type === "flag" ? Number(v) : v;
    }
    if (ok) rows.push(row);
  }
  return { file, rows };
}
