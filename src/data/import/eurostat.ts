import { parse } from "csv-parse/sync";
import { problem } from "../../errors/messages.ts";
import { InputError } from "../../errors/problem.ts";
import { COUNT_LIMIT } from "../limits.ts";

/*
 * Eurostat's files, as the publisher ships them, read into the EU comparison table (data/eu-comparison.csv).
 *
 * Formats: SDMX-CSV (the data browser's download: one observation per line, dimension columns, OBS_VALUE,
 * OBS_FLAG) and JSON-stat 2.0 (the statistics API). Datasets: the immigrations (tps00176; migr_imm1ctz) and the
 * average population (demo_gind, indic_de = AVG: the denominator of Eurostat's crude rates). Each dataset names the
 * dimension values that make the table's figure (all citizenships, all ages, both sexes, persons); a dimension whose
 * values are alternatives of the same figure (agedef: age completed or reached, equal for totals) is read as the
 * documented value and checked against the others: they must agree.
 *
 * Flags are kept as Eurostat writes them (letters, combined: `bep`); `:` (not available) leaves the cell empty.
 *
 * Why one file: the two formats share the datasets' specifications and the reduction of their observations to the
 * table's figure (`reduce`); split, each reader would import it from the other's file.
 */

export type EuColumn = "immigrations" | "population";

interface DatasetSpec {
  column: EuColumn;
  title: string;
  /** dimension → the value that makes the figure */
  select: Record<string, string>;
  /** dimension → [the value read, the alternatives that must agree with it] */
  alternatives: Record<string, [string, string[]]>;
}

export const DATASETS: Record<string, DatasetSpec> = {
  tps00176: {
    column: "immigrations",
    title: "Immigration (tps00176)",
    select: { freq: "A", citizen: "TOTAL", age: "TOTAL", unit: "NR", sex: "T" },
    alternatives: { agedef: ["COMPLET", ["REACH"]] },
  },
  migr_imm1ctz: {
    column: "immigrations",
    title: "Immigration by age group, sex and citizenship (migr_imm1ctz)",
    select: { freq: "A", citizen: "TOTAL", age: "TOTAL", unit: "NR", sex: "T" },
    alternatives: { agedef: ["COMPLET", ["REACH"]] },
  },
  demo_gind: {
    column: "population",
    title: "Population change, demographic balance and crude rates (demo_gind), average population",
    select: { freq: "A", indic_de: "AVG" },
    alternatives: {},
  },
};

/** Eurostat's observation flags (https://ec.europa.eu/eurostat/data/database/information). */
export const FLAGS: Record<string, string> = {
  b: "break in time series",
  c: "confidential",
  d: "definition differs",
  e: "estimated",
  f: "forecast",
  n: "not significant",
  p: "provisional",
  r: "revised",
  s: "Eurostat estimate",
  u: "low reliability",
  z: "not applicable",
};

export interface Observation {
  geo: string;
  year: number;
  /** undefined: not available (`:`) */
  value: number | undefined;
  flag: string;
  line?: number;
}

export interface EurostatFile {
  file: string;
  format: "SDMX-CSV" | "JSON-stat 2.0";
  dataset: string;
  column: EuColumn;
  title: string;
  /** the publisher's last update, when the file says */
  lastUpdate?: string;
  observations: Observation[];
  linesRead: number;
  /** lines left out because they are not the table's figure (other citizenships, ages, …) */
  otherValues: number;
}

const fail = (file: string, line: number | undefined, why: string, hint: string): never => {
  throw new InputError(`${file} cannot be imported`, [
    problem("import/eurostat", { file, ...(line ? { line } : {}) }, { why, hint }),
  ]);
};

/** Reads one Eurostat file (the format is recognised by its content). Pure: text in. */
export function readEurostat(file: string, text: string): EurostatFile {
  const t = text.replace(/^\uFEFF/, "");
  return t.trimStart().startsWith("{") ? readJsonStat(file, t) : readSdmxCsv(file, t);
}

function specOf(file: string, code: string, line?: number): DatasetSpec & { code: string } {
  const c = code.toLowerCase();
  const spec = DATASETS[c];
  if (!spec)
    fail(
      file,
      line,
      `dataset \`${code}\` is not one the EU comparison uses`,
      `import ${Object.keys(DATASETS).join(", ")} (immigrations; demo_gind for the average population)`,
    );
  return { ...spec!, code: c };
}

/** One raw observation: its dimension values, value and flag, checked and reduced to the table's figure. */
function reduce(
  file: string,
  spec: DatasetSpec,
  rows: { dims: Record<string, string>; value: string; flag: string; line?: number }[],
  dimensions: string[],
): { observations: Observation[]; otherValues: number } {
  for (const need of ["geo", "time"])
    if (!dimensions.includes(need))
      fail(
        file,
        1,
        `no \`${need === "time" ? "TIME_PERIOD" : need}\` dimension`,
        "export the dataset with every dimension",
      );
  for (const d of Object.keys(spec.select))
    if (!dimensions.includes(d) && d !== "freq")
      fail(file, 1, `no \`${d}\` dimension: this is not ${spec.title}`, "export the dataset as Eurostat publishes it");
  const kept = new Map<string, Observation>();
  const alt = new Map<string, { value: number | undefined; line?: number; dim: string }>();
  let otherValues = 0;
  for (const r of rows) {
    if (Object.entries(spec.select).some(([d, v]) => r.dims[d] !== undefined && r.dims[d] !== v)) {
      otherValues++;
      continue;
    }
    const value = parseValue(file, r.value, r.line);
    for (const f of r.flag)
      if (!FLAGS[f])
        fail(
          file,
          r.line,
          `unknown flag \`${f}\` in \`${r.flag}\``,
          `Eurostat's flags are ${Object.keys(FLAGS).join(", ")}`,
        );
    const year = Number(r.dims.time);
    if (!/^\d{4}$/.test(r.dims.time ?? ""))
      fail(file, r.line, `time \`${r.dims.time}\` is not a year`, "import annual data (freq A)");
    const key = `${r.dims.geo}|${year}`;
    const alternative = Object.entries(spec.alternatives).find(([d, [, others]]) => others.includes(r.dims[d] ?? ""));
    if (alternative) {
      alt.set(`${key}|${r.dims[alternative[0]]}`, {
        value,
        line: r.line,
        dim: `${alternative[0]}=${r.dims[alternative[0]]}`,
      });
      continue;
    }
    if (kept.has(key)) fail(file, r.line, `${r.dims.geo} ${year} appears twice`, "one value per country and year");
    kept.set(key, { geo: r.dims.geo!, year, value, flag: r.flag, ...(r.line ? { line: r.line } : {}) });
  }
  // the alternatives must give the same figure as the value read
  for (const [k, a] of alt) {
    const [geo, year] = k.split("|");
    const main = kept.get(`${geo}|${year}`);
    if (main && main.value !== a.value)
      fail(
        file,
        a.line,
        `${geo} ${year}: ${a.dim} gives ${a.value ?? ":"}, the value read gives ${main.value ?? ":"}`,
        "the two definitions disagree: import a file with one of them only",
      );
    otherValues++;
  }
  return { observations: [...kept.values()], otherValues };
}

function parseValue(file: string, v: string, line?: number): number | undefined {
  const s = v.trim();
  if (s === "" || s === ":") return undefined;
  if (!/^\d+(\.\d+)?$/.test(s))
    fail(file, line, `value \`${v}\` is not a number`, "OBS_VALUE holds a number, or `:` when not available");
  const n = Math.round(Number(s));
  if (n > COUNT_LIMIT.max) fail(file, line, `value ${s} is too large`, COUNT_LIMIT.why);
  return n;
}

function readSdmxCsv(file: string, text: string): EurostatFile {
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: false, skip_empty_lines: true }) as string[][];
  } catch (e) {
    const line = /line (\d+)/.exec((e as Error).message)?.[1];
    return fail(
      file,
      line ? Number(line) : undefined,
      `not CSV: ${(e as Error).message}`,
      "import the SDMX-CSV file as downloaded",
    );
  }
  const header = records[0] ?? [];
  if (header.length < 3 || !header.includes("OBS_VALUE"))
    fail(
      file,
      1,
      header.length < 3
        ? "the header has fewer than three comma-separated columns (another delimiter?)"
        : "no OBS_VALUE column",
      "import Eurostat's SDMX-CSV (comma-separated, header DATAFLOW,LAST UPDATE,…,OBS_VALUE,OBS_FLAG) or JSON-stat 2.0",
    );
  const col = (n: string) => header.indexOf(n);
  if (col("DATAFLOW") < 0)
    fail(file, 1, "no DATAFLOW column: the dataset is not named", "import the SDMX-CSV file as downloaded");
  const first = records[1];
  if (!first) fail(file, 2, "no observations", "the file has a header only");
  const code = /:([A-Za-z0-9_]+)\(/.exec(first![col("DATAFLOW")] ?? "")?.[1] ?? first![col("DATAFLOW")] ?? "";
  const spec = specOf(file, code, 2);
  const skip = new Set(["DATAFLOW", "LAST UPDATE", "OBS_VALUE", "OBS_FLAG", "CONF_STATUS"]);
  const dimensions = header.filter((h) => !skip.has(h)).map((h) => (h === "TIME_PERIOD" ? "time" : h));
  const rows = records.slice(1).map((r, i) => {
    const dims: Record<string, string> = {};
    header.forEach((h, j) => {
      if (!skip.has(h)) dims[h === "TIME_PERIOD" ? "time" : h] = r[j] ?? "";
    });
    return {
      dims,
      value: r[col("OBS_VALUE")] ?? "",
      flag: col("OBS_FLAG") >= 0 ? (r[col("OBS_FLAG")] ?? "") : "",
      line: i + 2,
    };
  });
  const last = col("LAST UPDATE") >= 0 ? first![col("LAST UPDATE")] : undefined;
  return {
    file,
    format: "SDMX-CSV",
    dataset: spec.code,
    column: spec.column,
    title: spec.title,
    ...(last ? { lastUpdate: last } : {}),
    ...reduce(file, spec, rows, dimensions),
    linesRead: rows.length,
  };
}

interface JsonStat {
  version?: string;
  class?: string;
  id?: string[];
  size?: number[];
  dimension?: Record<string, { category?: { index?: Record<string, number> | string[] } }>;
  value?: (number | null)[] | Record<string, number | null>;
  status?: string[] | Record<string, string>;
  updated?: string;
  extension?: { datasetId?: string };
  label?: string;
}

function readJsonStat(file: string, text: string): EurostatFile {
  let j: JsonStat;
  try {
    j = JSON.parse(text) as JsonStat;
  } catch (e) {
    return fail(
      file,
      undefined,
      `not JSON: ${(e as Error).message}`,
      "import the JSON-stat 2.0 file as the API returns it",
    );
  }
  if (j.version !== "2.0" || j.class !== "dataset" || !j.id || !j.size || !j.dimension)
    fail(
      file,
      undefined,
      "not a JSON-stat 2.0 dataset (version, class, id, size, dimension)",
      "use Eurostat's statistics API (format=JSON)",
    );
  const code = j.extension?.datasetId ?? "";
  const spec = specOf(file, code || "(no extension.datasetId)");
  const ids = j.id!;
  const cats = ids.map((d) => {
    const idx = j.dimension![d]?.category?.index;
    const order = Array.isArray(idx)
      ? idx
      : Object.entries(idx ?? {})
          .sort((a, b) => a[1] - b[1])
          .map(([k]) => k);
    return order;
  });
  const total = j.size!.reduce((a, b) => a * b, 1);
  const valueAt = (i: number) => (Array.isArray(j.value) ? j.value[i] : j.value?.[String(i)]);
  const statusAt = (i: number) => (Array.isArray(j.status) ? j.status[i] : j.status?.[String(i)]) ?? "";
  const rows: { dims: Record<string, string>; value: string; flag: string }[] = [];
  for (let i = 0; i < total; i++) {
    const v = valueAt(i);
    const flag = statusAt(i);
    if ((v === undefined || v === null) && !flag) continue; // an empty cell of the cube
    let rest = i;
    const dims: Record<string, string> = {};
    for (let k = ids.length - 1; k >= 0; k--) {
      const n = j.size![k]!;
      dims[ids[k] === "TIME_PERIOD" ? "time" : ids[k]!] = cats[k]![rest % n]!;
      rest = Math.floor(rest / n);
    }
    rows.push({ dims, value: v === null || v === undefined ? ":" : String(v), flag: flag === ":" ? "" : flag });
  }
  return {
    file,
    format: "JSON-stat 2.0",
    dataset: spec.code,
    column: spec.column,
    title: spec.title,
    ...(j.updated ? { lastUpdate: j.updated } : {}),
    ...reduce(
      file,
      spec,
      rows,
      ids.map((d) => (d === "TIME_PERIOD" ? "time" : d)),
    ),
    linesRead: rows.length,
  };
}
