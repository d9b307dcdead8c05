import { createReadStream } from "node:fs";
import { open as openFile, stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { parse } from "csv-parse";
import ExcelJS from "exceljs";
import yauzl from "yauzl";
import { problem } from "../../errors/messages.ts";
import { InputError } from "../../errors/problem.ts";
import { COUNT_LIMIT } from "../limits.ts";

/*
 * Statbel's open-data population file (TF_SOC_POP_STRUCT_YYYY: population on 1 January YYYY by municipality, sex,
 * nationality, civil status and age; about 470,000 lines): a zip holding a pipe-delimited text file (UTF-8 with a
 * byte-order mark), the text file itself, or the same table as .xlsx. Read as a stream, line by line, and added up
 * per municipality, arrondissement, province and region as it goes: memory holds a few hundred sums, whatever the
 * size of the file.
 */

export const STATBEL_COLUMNS = ["CD_REFNIS", "CD_DSTR_REFNIS", "CD_PROV_REFNIS", "CD_RGN_REFNIS", "MS_POPULATION"];

export interface StatbelPopulation {
  file: string;
  format: "zip" | "text" | "xlsx";
  year: number;
  /** population per NIS code: municipalities, arrondissements, provinces, regions */
  totals: Map<string, number>;
  levels: { municipalities: Set<string>; others: Set<string> };
  /** each municipality's arrondissement, province ("" for none) and region as the file gives them, and the line */
  parents: Map<string, { arrondissement: string; province: string; region: string; line: number }>;
  /** what the import should tell (a province code read as "no province") */
  warnings: string[];
  linesRead: number;
}

const fail = (file: string, line: number | undefined, why: string, hint: string): never => {
  throw new InputError(`${file} cannot be imported`, [
    problem("import/statbel", { file, ...(line ? { line } : {}) }, { why, hint }),
  ]);
};

/** The year of a Statbel file from its name (TF_SOC_POP_STRUCT_2024…: 1 January 2024), or undefined. */
export const yearOfName = (file: string) => Number(/POP_STRUCT_(\d{4})/i.exec(file)?.[1]) || undefined;

/** Lines as cells, from whichever form the file has. */
async function* linesOf(file: string, format: StatbelPopulation["format"]): AsyncGenerator<string[]> {
  if (format === "xlsx") {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, { worksheets: "emit", sharedStrings: "cache" });
    for await (const sheet of reader) {
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>)
        yield (row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? "" : String(v)));
      return; // the first sheet holds the table
    }
    return;
  }
  const stream = format === "zip" ? await zipEntry(file) : createReadStream(file);
  const parser = stream.pipe(parse({ delimiter: "|", bom: true, quote: false, relax_column_count: false }));
  try {
    for await (const cells of parser as AsyncIterable<string[]>) yield cells;
  } catch (e) {
    const m = /on line (\d+)/.exec((e as Error).message);
    fail(
      file,
      m ? Number(m[1]) : undefined,
      (e as Error).message.replace(/^Invalid Record Length: /, "wrong number of columns: "),
      "every line has the header's columns, separated by |",
    );
  }
}

/** The text file inside a zip (the first .txt/.csv entry), as a stream; a bad or truncated zip is refused. */
async function zipEntry(file: string): Promise<Readable> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, validateEntrySizes: true }, (err, z) => (err ? reject(err) : resolve(z))),
  ).catch((e: Error) =>
    fail(file, undefined, `not a readable zip (${e.message})`, "download the file again: it may be truncated"),
  );
  return new Promise<Readable>((resolve, reject) => {
    zip.on("entry", (entry: yauzl.Entry) => {
      if (!/\.(txt|csv)$/i.test(entry.fileName)) return zip.readEntry();
      zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s)));
    });
    zip.on("end", () =>
      reject(
        new InputError(`${file}`, [
          problem(
            "import/statbel",
            { file },
            { why: "the zip holds no .txt file", hint: "Statbel's zip holds TF_SOC_POP_STRUCT_YYYY.txt" },
          ),
        ]),
      ),
    );
    zip.on("error", (e: Error) => reject(e));
    zip.readEntry();
  }).catch((e) => {
    if (e instanceof InputError) throw e;
    return fail(
      file,
      undefined,
      `not a readable zip (${(e as Error).message})`,
      "download the file again: it may be truncated",
    );
  });
}

export async function formatOf(file: string): Promise<StatbelPopulation["format"]> {
  if ((await stat(file)).isDirectory()) fail(file, undefined, "this is a folder", "give the path of Statbel's file");
  const h = await openFile(file, "r");
  try {
    const head = Buffer.alloc(4);
    await h.read(head, 0, 4, 0);
    if (head[0] === 0x50 && head[1] === 0x4b) return /\.xlsx$/i.test(file) ? "xlsx" : "zip";
    // a spreadsheet program's "Unicode text": UTF-16 with its byte-order mark
    if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))
      fail(file, 1, "the file is UTF-16 (its first bytes are a UTF-16 byte-order mark)", "re-save it as UTF-8");
    return "text";
  } finally {
    await h.close();
  }
}

/** Reads and adds up a Statbel population file. The year: `year`, or the file name's. */
export async function readStatbelPopulation(file: string, year?: number): Promise<StatbelPopulation> {
  const y = year ?? yearOfName(file);
  if (!y)
    fail(
      file,
      undefined,
      "the year of the population is not known",
      "name the file TF_SOC_POP_STRUCT_YYYY… or pass --year YYYY",
    );
  const format = await formatOf(file);
  const totals = new Map<string, number>();
  const municipalities = new Set<string>();
  const others = new Set<string>();
  const parents: StatbelPopulation["parents"] = new Map();
  const provinceIsRegion: { count: number; first?: number } = { count: 0 };
  let index: number[] | undefined;
  let line = 0;
  const pad = (s: string) => s.trim().padStart(5, "0");
  const add = (code: string, n: number) => totals.set(code, (totals.get(code) ?? 0) + n);
  for await (const cells of linesOf(file, format)) {
    line++;
    if (!index) {
      const header = cells.map((c) => c.replace(/^\uFEFF/, "").trim());
      if (header.length < 5)
        fail(
          file,
          1,
          `the header has ${header.length} column(s): the file is not separated by |`,
          "import Statbel's file as published (pipe-delimited text, its zip, or its .xlsx)",
        );
      const missing = STATBEL_COLUMNS.filter((c) => !header.includes(c));
      if (missing.length)
        fail(
          file,
          1,
          `no column ${missing.join(", ")}`,
          `Statbel's population file has ${STATBEL_COLUMNS.join(", ")}, …`,
        );
      index = STATBEL_COLUMNS.map((c) => header.indexOf(c));
      continue;
    }
    const [refnis, dstr, prov, rgn, pop] = index.map((i) => cells[i] ?? "");
    if (!/^\d+$/.test(pop!.trim()))
      fail(file, line, `MS_POPULATION \`${pop}\` is not a whole number`, "a count of persons");
    const n = Number(pop);
    if (n > COUNT_LIMIT.max) fail(file, line, `MS_POPULATION ${n} is too large`, COUNT_LIMIT.why);
    for (const [code, what] of [
      [refnis, "CD_REFNIS"],
      [dstr, "CD_DSTR_REFNIS"],
      [prov, "CD_PROV_REFNIS"],
      [rgn, "CD_RGN_REFNIS"],
    ] as const)
      if (!/^\d{1,5}$/.test(code!.trim()) && !(what === "CD_PROV_REFNIS" && code!.trim() === ""))
        fail(file, line, `${what} \`${code}\` is not a NIS code`, "NIS codes have up to 5 digits");
    const m = pad(refnis!);
    // the Brussels-Capital Region has no province: exports leave it empty, or repeat the region's code (04000|04000),
    // which would count its population twice in the region
    let province = prov!.trim() ? pad(prov!) : "";
    const region = pad(rgn!);
    if (province === region) {
      provinceIsRegion.count++;
      provinceIsRegion.first ??= line;
      province = "";
    }
    const arrondissement = pad(dstr!);
    const seen = parents.get(m);
    if (!seen) parents.set(m, { arrondissement, province, region, line });
    else if (seen.arrondissement !== arrondissement || seen.province !== province || seen.region !== region)
      fail(
        file,
        line,
        `municipality ${m} lies in ${arrondissement}/${province || "-"}/${region} here but in ${seen.arrondissement}/${seen.province || "-"}/${seen.region} on line ${seen.line}`,
        "a municipality belongs to one arrondissement, province and region: the file is not one consistent export",
      );
    municipalities.add(m);
    add(m, n);
    add(arrondissement, n);
    if (province) add(province, n);
    if (region !== arrondissement) add(region, n);
    if (!seen) {
      others.add(arrondissement);
      if (province) others.add(province);
      others.add(region);
    }
  }
  const warnings = provinceIsRegion.first
    ? [
        `${file}:${provinceIsRegion.first}: the province code equals the region code on ${provinceIsRegion.count.toLocaleString("en-GB")} line(s) (first here): read as "no province" (the Brussels-Capital Region has none), counted once in the region`,
      ]
    : [];
  if (!index || line < 2) fail(file, line || undefined, "no lines of data", "the file holds a header only");
  return { file, format, year: y!, totals, levels: { municipalities, others }, parents, warnings, linesRead: line - 1 };
}
