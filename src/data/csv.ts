import { parse } from "csv-parse/sync";
import type { Problem } from "../errors/problem.ts";

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

const checks: Record<ColumnType, { test: (v: string) => boolean; what: string; hint: string }> = {
  string: { test: (v) => v.length > 0, what: "an empty value", hint: "fill in the value" },
  count: {
    test: (v) => /^\d+$/.test(v),
    what: "not a non-negative integer",
    hint: "counts are whole numbers ≥ 0, without thousands separators or decimals",
  },
  year: { test: (v) => /^\d{4}$/.test(v), what: "not a year", hint: "write the year with four digits, e.g. 2024" },
  nis: {
    test: (v) => /^\d{5}$/.test(v),
    what: "not a 5-digit NIS code",
    hint: "NIS codes have 5 digits, e.g. 24062 (keep leading zeros: 02000)",
  },
  flag: { test: (v) => v === "0" || v === "1", what: "not 0 or 1", hint: "write 1 for yes, 0 for no" },
  number: {
    test: (v) => /^-?\d+(\.\d+)?$/.test(v),
    what: "not a number",
    hint: "use a plain number with a decimal point",
  },
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
      problems.push({
        file,
        line: err.lines,
        rule: "csv-syntax",
        message: err.message,
        hint: "check the quotes in this line",
        severity: "error",
      });
      return { file, rows: [] };
    }
  }
  const header = records.shift();
  if (!header) {
    problems.push({
      file,
      line: 1,
      rule: "bad-header",
      message: "the file is empty",
      hint: `expected a header line: ${columns.map((c) => c.name).join(",")}`,
      severity: "error",
    });
    return { file, rows: [] };
  }
  const names = header.fields.map((f) => f.trim());
  const index = new Map(names.map((n, i) => [n, i]));
  const missing = columns.filter((c) => !c.optional && !index.has(c.name));
  const unknown = names.filter((n) => !columns.some((c) => c.name === n));
  if (missing.length) {
    problems.push({
      file,
      line: header.line,
      column: 1,
      rule: "bad-header",
      message: `missing column(s) ${missing.map((c) => `\`${c.name}\``).join(", ")}${unknown.length ? `; unexpected ${unknown.map((u) => `\`${u}\``).join(", ")}` : ""}`,
      hint: `the header must name these columns (any order): ${columns.map((c) => c.name).join(",")}`,
      severity: "error",
    });
    return { file, rows: [] };
  }
  const rows: Row[] = [];
  const colPos = columns.map((c) => [c, index.get(c.name)] as const);
  for (const rec of records) {
    if (rec.fields.length !== names.length) {
      problems.push({
        file,
        line: rec.line,
        rule: "column-count",
        message: `${rec.fields.length} values, the header has ${names.length}`,
        hint: "every line needs one value per header column (quote values that contain a comma)",
        severity: "error",
      });
      continue;
    }
    const row = { line: rec.line } as Row;
    let ok = true;
    for (const [c, i] of colPos) {
      if (i === undefined) continue;
      const v = (rec.fields[i] as string).trim();
      if (v === "" && c.optional) continue;
      const check = checks[c.type];
      if (!check.test(v)) {
        ok = false;
        problems.push({
          file,
          line: rec.line,
          column: i + 1,
          rule: c.type === "count" ? (/^-\d/.test(v) ? "negative-count" : "not-integer") : `bad-${c.type}`,
          message: `\`${c.name}\` is ${v === "" ? "empty" : `${check.what}: \`${v}\``}`,
          hint: check.hint,
          severity: "error",
        });
        continue;
      }
      row[c.name] = c.type === "count" || c.type === "year" || c.type === "number" || c.type === "flag" ? Number(v) : v;
    }
    if (ok) rows.push(row);
  }
  return { file, rows };
}
