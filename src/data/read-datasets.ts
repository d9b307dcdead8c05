import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Config } from "../config/schema.ts";
import { decodeUtf8 } from "../core/text.ts";
import type { Effects } from "../effects.ts";
import { problem } from "../errors/messages.ts";
import type { Problem } from "../errors/problem.ts";
import { type ColumnSpec, parseTable, type Table } from "./csv.ts";
import { FLOW_COLUMNS, type FlowTable, parseFlows } from "./flows.ts";
import { gunzipWhole, textOf } from "./gunzip.ts";
import type { ProvenanceEntry } from "./provenance.ts";

/** The data contract: one spec per table (see data/README.md). */
export const TABLES = {
  municipalities: [
    { name: "nis", type: "nis" },
    { name: "name_nl", type: "string" },
    { name: "arrondissement", type: "nis" },
    { name: "province", type: "nis" },
    { name: "region", type: "nis" },
    // the years the code is valid: from 1 January of valid_from to 31 December of valid_to (empty: open)
    { name: "valid_from", type: "year", optional: true },
    { name: "valid_to", type: "year", optional: true },
  ],
  crosswalk: [
    { name: "nis_old", type: "nis" },
    { name: "nis_new", type: "nis" },
    { name: "since", type: "year" },
  ],
  areas: [
    { name: "nis", type: "nis" },
    { name: "level", type: "string" },
    { name: "name_nl", type: "string" },
    { name: "name_en", type: "string" },
  ],
  nationalities: [
    { name: "code", type: "string" },
    { name: "group", type: "string" },
    { name: "name_nl", type: "string" },
    { name: "name_en", type: "string" },
    { name: "adjective_nl", type: "string", optional: true },
    { name: "adjective_en", type: "string", optional: true },
  ],
  components: [
    { name: "direction", type: "string" },
    { name: "code", type: "string" },
    { name: "name_nl", type: "string" },
    { name: "name_en", type: "string" },
  ],
  euGeo: [
    { name: "geo", type: "string" },
    { name: "kind", type: "string" },
    { name: "name_en", type: "string" },
    { name: "name_nl", type: "string" },
  ],
  flows: [
    { name: "year", type: "year" },
    { name: "nis", type: "nis" },
    { name: "direction", type: "string" },
    { name: "component", type: "string" },
    { name: "nationality", type: "string" },
    { name: "sex", type: "string" },
    { name: "count", type: "count" },
  ],
  longSeries: [
    { name: "year", type: "year" },
    { name: "region", type: "nis" },
    { name: "direction", type: "string" },
    { name: "count", type: "count" },
    { name: "break_in_series", type: "flag" },
  ],
  population: [
    { name: "year", type: "year" },
    { name: "nis", type: "nis" },
    { name: "population", type: "count" },
    // the year whose municipalities the code refers to, when not `year` (the end-of-year stock of the last year of
    // a geography: 1 January 2025 in the municipalities of 2024)
    { name: "geography", type: "year", optional: true },
  ],
  euComparison: [
    { name: "year", type: "year" },
    { name: "geo", type: "string" },
    // empty: not available (Eurostat's `:`); the flags are Eurostat's letters (`p` provisional, `bep` …)
    { name: "immigrations", type: "count", optional: true },
    { name: "population", type: "count", optional: true },
    { name: "immigrations_flag", type: "string", optional: true },
    { name: "population_flag", type: "string", optional: true },
  ],
} satisfies Record<string, ColumnSpec[]>;

export type TableName = keyof typeof TABLES;
export interface Datasets {
  municipalities: Table;
  /** old NIS → new NIS from the year `since` (a merger: several rows to one code) */
  crosswalk: Table;
  areas: Table;
  nationalities: Table;
  components: Table;
  euGeo: Table;
  longSeries: Table;
  population: Table;
  euComparison: Table;
  /** Flow tables by year: only the years the edition needs are read. */
  flows: Map<number, FlowTable>;
  /** what `bulletin data import` recorded (data/provenance.json; empty without it) */
  provenance: ProvenanceEntry[];
}

/** The flow years an edition of `year` needs: the municipal period and the components figure's years. */
export function flowYearsFor(config: Config, year: number): { required: number[]; optional: number[] } {
  const required: number[] = [];
  for (let y = year - config.municipalPeriod.years + 1; y <= year; y++) required.push(y);
  const optional: number[] = [];
  for (let y = year - config.componentsYears + 1; y < year; y++) if (!required.includes(y)) optional.push(y);
  return { required, optional };
}

export function flowFile(config: Config, year: number): string {
  return join(config.data.dir, config.data.flows.replaceAll("{year}", String(year)));
}

/** A table's bytes, gunzipped when they are gzip; a missing file or bad gzip is a problem (and undefined). */
async function readTableBytes(
  name: TableName,
  file: string,
  fx: Pick<Effects, "readFile">,
  problems: Problem[],
): Promise<Buffer | undefined> {
  const buf = await readRaw(name, file, fx, problems);
  return buf && gunzipped(buf, file, problems);
}

/** A table's bytes as stored; a missing file is a problem (and undefined). */
async function readRaw(name: TableName, file: string, fx: Pick<Effects, "readFile">, problems: Problem[]) {
  try {
    return await fx.readFile(file);
  } catch {
    problems.push(problem("missing-file", { file }, { table: name }));
    return undefined;
  }
}

/** The bytes gunzipped when they are gzip; bad gzip is a problem (and undefined). */
function gunzipped(buf: Buffer, file: string, problems: Problem[]): Buffer | undefined {
  if (buf[0] !== 0x1f || buf[1] !== 0x8b) return buf;
  try {
    return gunzipWhole(buf);
  } catch {
    problems.push(problem("bad-gzip", { file }));
    return undefined;
  }
}

/**
 * The last 16 flow tables this process parsed, by file and sha1 of their stored bytes, with their problems: a process
 * that reads them again (the preview after an edit, a series of builds) skips gunzip and parse (~60 ms a year). A
 * table is never changed once parsed (harmonise.ts makes new columns), so one object serves every reader.
 */
const parsedFlows = new Map<string, { table: FlowTable; problems: Problem[] }>();
async function readFlowTable(file: string, fx: Pick<Effects, "readFile">, problems: Problem[]) {
  const raw = await readRaw("flows", file, fx, problems);
  // a missing file is already reported; an empty table keeps the later stages simple
  if (!raw) return parseFlows(file, FLOW_COLUMNS.join(","), problems);
  const sha1 = createHash("sha1").update(raw).digest("hex");
  const key = `${file}\0${sha1}`;
  const found: Problem[] = [];
  const known = parsedFlows.get(key) ?? {
    table: parseFlows(file, textOf(raw, sha1, () => gunzipped(raw, file, found)) ?? FLOW_COLUMNS.join(","), found),
    problems: found,
  };
  parsedFlows.delete(key); // the most recently used last
  parsedFlows.set(key, known);
  if (parsedFlows.size > 16) parsedFlows.delete(parsedFlows.keys().next().value as string);
  problems.push(...known.problems.map((p) => ({ ...p })));
  return known.table;
}

/** A table's text, decoded strictly as UTF-8 (see core/text.ts); undefined when it cannot be read. */
async function readTableText(
  name: TableName,
  file: string,
  fx: Pick<Effects, "readFile">,
  problems: Problem[],
): Promise<string | undefined> {
  const bytes = await readTableBytes(name, file, fx, problems);
  return bytes && decodeUtf8(file, bytes, problems);
}

/** Reads every table of the contract; returns the data and every problem found while parsing. */
export async function readDatasets(
  config: Config,
  year: number,
  fx: Pick<Effects, "readFile" | "exists">,
): Promise<{ datasets: Datasets; problems: Problem[] }> {
  const problems: Problem[] = [];
  const read = async (name: TableName, rel: string): Promise<Table> => {
    const file = join(config.data.dir, rel);
    const text = await readTableText(name, file, fx, problems);
    return text === undefined ? { file, rows: [] } : parseTable(file, text, TABLES[name], problems);
  };
  const readFlows = (file: string): Promise<FlowTable> => readFlowTable(file, fx, problems);
  const d = config.data;
  const { required, optional } = flowYearsFor(config, year);
  const flowEntries = await Promise.all(
    [...required, ...optional].map(async (y) => {
      const file = flowFile(config, y);
      if (!required.includes(y) && !(await fx.exists(file))) return undefined;
      return [y, await readFlows(file)] as const;
    }),
  );
  const [municipalities, crosswalk, areas, nationalities, components, euGeo, longSeries, population, euComparison] =
    await Promise.all([
      read("municipalities", d.municipalities),
      read("crosswalk", d.crosswalk),
      read("areas", d.areas),
      read("nationalities", d.nationalities),
      read("components", d.components),
      read("euGeo", d.euGeo),
      read("longSeries", d.longSeries),
      read("population", d.population),
      read("euComparison", d.euComparison),
    ]);
  const flows = new Map<number, FlowTable>();
  for (const e of flowEntries) if (e) flows.set(e[0], e[1]);
  const provenance = await readProvenance(join(config.data.dir, d.provenance), fx, problems);
  // a table with a header and no line is one located problem, never an internal error further down
  const first = Math.min(...required);
  const needs: [Table | FlowTable, string][] = [
    [municipalities, "the municipalities (NIS code, name, arrondissement, province, region)"],
    [areas, "the regions, provinces and arrondissements"],
    [nationalities, "the nationality codes and their groups"],
    [components, "the three components of immigration and of emigration"],
    [euGeo, "the EU countries, the EU27 and the Belgian regions"],
    [longSeries, `each region's immigration and emigration per year up to ${year}`],
    [population, `the population on 1 January ${first}–${year + 1}`],
    [euComparison, `the EU comparison of the years up to ${year}`],
    ...[...flows].map(([y, t]): [FlowTable, string] => [t, `the flows of ${y} of every municipality`]),
  ];
  for (const [t, what] of needs) {
    const rows = "rows" in t ? t.rows.length : t.length;
    if (rows === 0 && !problems.some((p) => p.file === t.file))
      problems.push(problem("no-data", { file: t.file, line: 2 }, { header: true, needs: what }));
  }
  return {
    datasets: {
      municipalities,
      crosswalk,
      areas,
      nationalities,
      components,
      euGeo,
      longSeries,
      population,
      euComparison,
      flows,
      provenance,
    },
    problems,
  };
}

/** data/provenance.json, or no entries when there is none. */
async function readProvenance(
  file: string,
  fx: Pick<Effects, "readFile" | "exists">,
  problems: Problem[],
): Promise<ProvenanceEntry[]> {
  if (!(await fx.exists(file))) return [];
  try {
    const list = JSON.parse((await fx.readFile(file)).toString("utf8")) as ProvenanceEntry[];
    if (Array.isArray(list) && list.every((e) => e && typeof e.table === "string")) return list;
  } catch {
    // reported below
  }
  problems.push(problem("bad-provenance", { file }));
  return [];
}

/** One table of the contract alone (e.g. the municipality list for `geo import`), with its parse problems. */
export async function readOneTable(
  config: Config,
  name: Exclude<TableName, "flows">,
  fx: Pick<Effects, "readFile">,
): Promise<{ table: Table; problems: Problem[] }> {
  const problems: Problem[] = [];
  const file = join(config.data.dir, config.data[name]);
  const text = await readTableText(name, file, fx, problems);
  return { table: text === undefined ? { file, rows: [] } : parseTable(file, text, TABLES[name], problems), problems };
}
