import type { Problem } from "../errors/problem.ts";

/**
 * The flow table of one year, stored by column. It is the one large table (~60,000 lines a year) and the edition
 * reads several years, so it is parsed by a dedicated scanner into typed arrays of dictionary indexes: a generic
 * row-object CSV parse of five years took ~800 ms here, this takes a fraction of that. The format is the same tidy
 * CSV as every other table (header `year,nis,direction,component,nationality,sex,count`, any column order, no quotes
 * needed: every value is a code or an integer); a quoted value is reported as a problem.
 */
export interface FlowTable {
  file: string;
  length: number;
  year: Uint16Array;
  nis: Uint16Array;
  direction: Uint8Array;
  component: Uint8Array;
  nationality: Uint16Array;
  sex: Uint8Array;
  count: Uint32Array;
  line: Uint32Array;
  /** dictionaries: index → code, and the first line each code appears on */
  dict: Record<"nis" | "direction" | "component" | "nationality" | "sex", { codes: string[]; firstLine: number[] }>;
}

export const FLOW_COLUMNS = ["year", "nis", "direction", "component", "nationality", "sex", "count"] as const;

export function parseFlows(file: string, text: string, problems: Problem[]): FlowTable {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split("\n");
  const cap = lines.length;
  const t: FlowTable = {
    file,
    length: 0,
    year: new Uint16Array(cap),
    nis: new Uint16Array(cap),
    direction: new Uint8Array(cap),
    component: new Uint8Array(cap),
    nationality: new Uint16Array(cap),
    sex: new Uint8Array(cap),
    count: new Uint32Array(cap),
    line: new Uint32Array(cap),
    dict: {
      nis: { codes: [], firstLine: [] },
      direction: { codes: [], firstLine: [] },
      component: { codes: [], firstLine: [] },
      nationality: { codes: [], firstLine: [] },
      sex: { codes: [], firstLine: [] },
    },
  };
  const header = (lines[0] ?? "")
    .replace(/\r$/, "")
    .split(",")
    .map((s) => s.trim());
  const missing = FLOW_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length || header.length !== FLOW_COLUMNS.length) {
    const unknown = header.filter((h) => !(FLOW_COLUMNS as readonly string[]).includes(h));
    problems.push({
      file,
      line: 1,
      column: 1,
      rule: "bad-header",
      message: `${missing.length ? `missing column(s) ${missing.map((m) => `\`${m}\``).join(", ")}` : "wrong number of columns"}${unknown.length ? `; unexpected ${unknown.map((u) => `\`${u}\``).join(", ")}` : ""}`,
      hint: `the header must name these columns (any order): ${FLOW_COLUMNS.join(",")}`,
      severity: "error",
    });
    return t;
  }
  const pos = FLOW_COLUMNS.map((c) => header.indexOf(c));
  const [pYear, pNis, pDir, pComp, pNat, pSex, pCount] = pos as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const maps = {
    nis: new Map<string, number>(),
    direction: new Map<string, number>(),
    component: new Map<string, number>(),
    nationality: new Map<string, number>(),
    sex: new Map<string, number>(),
  };
  const intern = (key: keyof typeof maps, v: string, line: number) => {
    const m = maps[key];
    let i = m.get(v);
    if (i === undefined) {
      i = m.size;
      m.set(v, i);
      t.dict[key].codes.push(v);
      t.dict[key].firstLine.push(line);
    }
    return i;
  };
  let bad = 0;
  const report = (p: Omit<Problem, "file" | "severity">) => {
    // one problem per line is enough; cap the flood for a wholly broken file
    if (++bad <= 200) problems.push({ file, severity: "error", ...p });
  };
  // The rows come sorted by municipality, direction, component and nationality, so most codes repeat the line
  // before: compare with the last value first and go to the dictionary only when it changed.
  let lastYear = "";
  let lastYearNum = 0;
  let lastNis = "";
  let lastNisIdx = 0;
  const last = { direction: ["", 0], component: ["", 0], nationality: ["", 0], sex: ["", 0] } as Record<
    "direction" | "component" | "nationality" | "sex",
    [string, number]
  >;
  const code = (key: "direction" | "component" | "nationality" | "sex", v: string, line: number) => {
    const c = last[key];
    if (c[0] === v) return c[1];
    const i = intern(key, v, line);
    c[0] = v;
    c[1] = i;
    return i;
  };
  let n = 0;
  for (let i = 1; i < lines.length; i++) {
    let l = lines[i] as string;
    if (l.length === 0) continue;
    if (l.charCodeAt(l.length - 1) === 13) l = l.slice(0, -1);
    if (l.length === 0) continue;
    const lineNo = i + 1;
    const f = l.split(",");
    if (f.length !== FLOW_COLUMNS.length || l.includes('"')) {
      const quoted = l.includes('"');
      report({
        line: lineNo,
        rule: quoted ? "csv-syntax" : "column-count",
        message: quoted
          ? "quoted value in the flow table"
          : `${f.length} values, the header has ${FLOW_COLUMNS.length}`,
        hint: quoted
          ? "flow values are codes and integers: write them without quotes"
          : "every line needs one value per header column",
      });
      continue;
    }
    const y = f[pYear] as string;
    const c = f[pCount] as string;
    const nis = f[pNis] as string;
    if (y !== lastYear) {
      if (!/^\d{4}$/.test(y)) {
        report({
          line: lineNo,
          column: pYear + 1,
          rule: "bad-year",
          message: `\`year\` is not a year: \`${y}\``,
          hint: "write the year with four digits, e.g. 2024",
        });
        continue;
      }
      lastYear = y;
      lastYearNum = Number(y);
    }
    const count = toCount(c);
    if (count < 0) {
      const negative = /^-\d+$/.test(c.trim());
      report({
        line: lineNo,
        column: pCount + 1,
        rule: negative ? "negative-count" : "not-integer",
        message: `\`count\` is ${c === "" ? "empty" : negative ? `negative: \`${c}\`` : `not a non-negative integer: \`${c}\``}`,
        hint: "counts are whole numbers ≥ 0, without thousands separators or decimals",
      });
      continue;
    }
    if (nis !== lastNis) {
      if (nis.length !== 5 || !/^\d{5}$/.test(nis)) {
        report({
          line: lineNo,
          column: pNis + 1,
          rule: "bad-nis",
          message: `\`nis\` is not a 5-digit NIS code: \`${nis}\``,
          hint: "NIS codes have 5 digits, e.g. 24062",
        });
        continue;
      }
      lastNis = nis;
      lastNisIdx = intern("nis", nis, lineNo);
    }
    t.year[n] = lastYearNum;
    t.nis[n] = lastNisIdx;
    t.direction[n] = code("direction", f[pDir] as string, lineNo);
    t.component[n] = code("component", f[pComp] as string, lineNo);
    t.nationality[n] = code("nationality", f[pNat] as string, lineNo);
    t.sex[n] = code("sex", f[pSex] as string, lineNo);
    t.count[n] = count;
    t.line[n] = lineNo;
    n++;
  }
  if (bad > 200)
    problems.push({
      file,
      severity: "error",
      rule: "too-many-problems",
      message: `${bad - 200} more problem(s) not listed`,
      hint: "fix the ones above first",
    });
  t.length = n;
  return t;
}

/** The count as a number, or −1 when it is not a non-negative integer (at most nine digits). */
function toCount(s: string): number {
  if (s.length === 0 || s.length > 9) return -1;
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}
