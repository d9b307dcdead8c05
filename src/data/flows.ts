import { isUtf8 } from "node:buffer";
import { decodeUtf8 } from "../core/text.ts";
import { problem } from "../errors/messages.ts";
import type { Problem } from "../errors/problem.ts";
import { COUNT_LIMIT } from "./limits.ts";

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

/** A dictionary for one coded column; looks codes up by their bytes, so a line costs no string in the common case. */
class Interner {
  readonly codes: string[] = [];
  readonly firstLine: number[] = [];
  private readonly map = new Map<string, number>();
  private readonly bytes: Uint8Array[] = [];
  /** short codes (≤ 6 bytes, e.g. nationalities) by a number made of their bytes: no string to look them up */
  private readonly short = new Map<number, number>();
  private last = -1;
  get(buf: Uint8Array, s: number, e: number, line: number): number {
    if (this.last >= 0 && same(this.bytes[this.last] as Uint8Array, buf, s, e)) return this.last;
    // the first few codes (sexes, directions, components) by a byte comparison; the others by the dictionary
    const n = Math.min(this.bytes.length, 4);
    for (let i = 0; i < n; i++)
      if (same(this.bytes[i] as Uint8Array, buf, s, e)) {
        this.last = i;
        return i;
      }
    let key = -1;
    if (e - s <= 6) {
      key = (e - s) * 2 ** 48;
      for (let j = s, f = 1; j < e; j++, f *= 256) key += (buf[j] as number) * f;
      const i = this.short.get(key);
      if (i !== undefined) {
        this.last = i;
        return i;
      }
    }
    const code = utf8.decode(buf.subarray(s, e));
    let i = this.map.get(code);
    if (i === undefined) {
      i = this.codes.length;
      this.map.set(code, i);
      this.codes.push(code);
      this.firstLine.push(line);
      this.bytes.push(buf.slice(s, e));
    }
    if (key >= 0) this.short.set(key, i);
    this.last = i;
    return i;
  }
}
const utf8 = new TextDecoder();
function same(a: Uint8Array, buf: Uint8Array, s: number, e: number): boolean {
  if (a.length !== e - s) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== buf[s + i]) return false;
  return true;
}
/** Digits in buf[s, e) as a number, or −1 (empty, another character, or more than `max` digits). */
function digits(buf: Uint8Array, s: number, e: number, max: number): number {
  if (e <= s || e - s > max) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i] as number;
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/**
 * Parses the bytes of a flow file (UTF-8, after gunzip). Lines are scanned as bytes: no string per line or value,
 * five years (~265,000 lines) in a few tens of milliseconds. A line that does not pass the quick checks goes through
 * `lineProblem`, which names what is wrong with it.
 */
export function parseFlows(file: string, input: Uint8Array | string, problems: Problem[]): FlowTable {
  const buf = typeof input === "string" ? new TextEncoder().encode(input) : input;
  // bytes that are not UTF-8 are reported (located) and the table is not read at all
  if (!isUtf8(buf)) {
    decodeUtf8(file, buf, problems);
    return parseFlows(file, FLOW_COLUMNS.join(","), []);
  }
  let start = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  // a line that is kept has at least 17 bytes (4-digit year, 5-digit NIS, a count digit, six commas, newline)
  const cap = Math.floor(buf.length / 17) + 1;
  const t = emptyTable(file, cap);
  const interners = t.dict;
  let headerEnd = buf.indexOf(10, start);
  if (headerEnd < 0) headerEnd = buf.length;
  const pos = columnsOf(file, utf8.decode(buf.subarray(start, headerEnd)), problems);
  if (!pos) return t;
  const [pYear, pNis, pDir, pComp, pNat, pSex, pCount] = pos;
  let bad = 0;
  const report = (p: Problem) => {
    if (++bad <= 200) problems.push({ ...p, file });
  };
  // field boundaries of the current line: value k is buf[fs[k], fe[k])
  const fs = new Int32Array(8);
  const fe = new Int32Array(8);
  let n = 0;
  let lineNo = 1;
  start = headerEnd + 1;
  while (start < buf.length) {
    lineNo++;
    // one pass over the line: the commas, a quote, the end
    let k = 0;
    let quoted = false;
    fs[0] = start;
    let end = start;
    for (; end < buf.length; end++) {
      const c = buf[end];
      if (c === 10) break;
      if (c === 44) {
        if (k < 7) fe[k] = end;
        k++;
        if (k < 8) fs[k] = end + 1;
      } else if (c === 34) quoted = true;
    }
    const next = end + 1;
    if (end > start && buf[end - 1] === 13) {
      end--;
      if (k < 8 && (fs[k] as number) > end) fs[k] = end;
    }
    if (end === start) {
      start = next;
      continue;
    }
    if (k < 7) fe[k] = end;
    const year = k === 6 && !quoted ? digits(buf, fs[pYear] as number, fe[pYear] as number, 4) : -1;
    const count = year >= 0 ? digits(buf, fs[pCount] as number, fe[pCount] as number, 9) : -1;
    const nisLength = (fe[pNis] as number) - (fs[pNis] as number);
    if (year < 1000 || count < 0 || nisLength !== 5 || digits(buf, fs[pNis] as number, fe[pNis] as number, 5) < 0) {
      lineProblem(utf8.decode(buf.subarray(start, end)), lineNo, pos, report);
      start = next;
      continue;
    }
    t.year[n] = year;
    t.nis[n] = interners.nis.get(buf, fs[pNis] as number, fe[pNis] as number, lineNo);
    t.direction[n] = interners.direction.get(buf, fs[pDir] as number, fe[pDir] as number, lineNo);
    t.component[n] = interners.component.get(buf, fs[pComp] as number, fe[pComp] as number, lineNo);
    t.nationality[n] = interners.nationality.get(buf, fs[pNat] as number, fe[pNat] as number, lineNo);
    t.sex[n] = interners.sex.get(buf, fs[pSex] as number, fe[pSex] as number, lineNo);
    t.count[n] = count;
    t.line[n] = lineNo;
    n++;
    start = next;
  }
  if (bad > 200) problems.push(problem("too-many-problems", { file }, { more: bad - 200 }));
  t.length = n;
  return t;
}

/** A table with room for `cap` lines. */
function emptyTable(file: string, cap: number) {
  return {
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
      nis: new Interner(),
      direction: new Interner(),
      component: new Interner(),
      nationality: new Interner(),
      sex: new Interner(),
    },
  } satisfies FlowTable;
}

/** Where each column of FLOW_COLUMNS is in the header line, or undefined (the problem reported) when it is not the
 * expected header. */
function columnsOf(file: string, line: string, problems: Problem[]) {
  const header = line
    .replace(/\r$/, "")
    .split(",")
    .map((s) => s.trim());
  const missing = FLOW_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length || header.length !== FLOW_COLUMNS.length) {
    const unknown = header.filter((h) => !(FLOW_COLUMNS as readonly string[]).includes(h));
    problems.push(
      problem("bad-header", { file, line: 1, column: 1 }, { missing, unexpected: unknown, expected: FLOW_COLUMNS }),
    );
    return undefined;
  }
  return FLOW_COLUMNS.map((c) => header.indexOf(c)) as [number, number, number, number, number, number, number];
}

/** What is wrong with a line that failed the quick checks (the first problem found). */
function lineProblem(
  l: string,
  lineNo: number,
  [pYear, pNis, , , , , pCount]: readonly number[],
  report: (p: Problem) => void,
): void {
  // the file is filled in by `report`
  const where = (line: number, column?: number) => ({ file: "", line, ...(column ? { column } : {}) });
  const f = l.split(",");
  if (f.length !== FLOW_COLUMNS.length || l.includes('"')) {
    const quoted = l.includes('"');
    report(
      quoted
        ? problem("csv-syntax/flows", where(lineNo))
        : problem("column-count", where(lineNo), { found: f.length, expected: FLOW_COLUMNS.length, flows: true }),
    );
    return;
  }
  const y = f[pYear as number] as string;
  if (!/^\d{4}$/.test(y) || y.startsWith("0")) {
    report(problem("bad-year", where(lineNo, (pYear as number) + 1), { column: "year", value: y }));
    return;
  }
  const c = f[pCount as number] as string;
  if (/^\d{10,}$/.test(c)) {
    report(problem("too-large", where(lineNo, (pCount as number) + 1), { column: "count", ...COUNT_LIMIT, value: c }));
    return;
  }
  if (toCount(c) < 0) {
    const negative = /^-\d+$/.test(c.trim());
    const rule = negative ? "negative-count" : "not-integer";
    report(problem(rule, where(lineNo, (pCount as number) + 1), { column: "count", value: c, flows: true }));
    return;
  }
  const nis = f[pNis as number] as string;
  report(problem("bad-nis", where(lineNo, (pNis as number) + 1), { column: "nis", value: nis, flows: true }));
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
