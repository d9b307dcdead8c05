import { Worker } from "node:worker_threads";
/**
 * The data of a figure as an Excel workbook: the numbers typed (not text), each column with one number format, the
 * figure's title above the table and its source and notes below it. Excel shows the separators of the reader's own
 * locale, so the same file opens right in Dutch and English Excel alike (a Dutch CSV with commas does not).
 * exceljs is loaded on first use: the build makes the workbooks while Chromium prints.
 */
export interface SheetInput {
  id: string;
  title: string;
  columns: string[];
  rows: (string | number)[][];
  source: string;
  notes: string[];
}

export async function toXlsx(s: SheetInput): Promise<Uint8Array> {
  const { default: ExcelJS } = await import("exceljs");
  const wb = new ExcelJS.Workbook();
  wb.creator = "migration-bulletin";
  // a fixed date: the same data give the same workbook (the file's own metadata would otherwise say "now")
  wb.created = new Date(0);
  wb.modified = new Date(0);
  const ws = wb.addWorksheet(s.id.slice(0, 31));
  ws.addRow([s.title]).font = { bold: true, size: 12 };
  ws.addRow([]);
  const header = ws.addRow(s.columns);
  header.font = { bold: true };
  for (const r of s.rows) ws.addRow(r);
  // one number format per column: a column with a fraction anywhere shows one decimal everywhere
  s.columns.forEach((name, j) => {
    const values = s.rows.map((r) => r[j]);
    const numeric = values.length > 0 && values.every((v) => typeof v === "number");
    const col = ws.getColumn(j + 1);
    if (numeric) col.numFmt = values.some((v) => !Number.isInteger(v)) ? "#,##0.0" : "#,##0";
    col.width = Math.max(10, Math.min(40, Math.max(name.length, ...values.map((v) => String(v).length)) + 2));
  });
  ws.addRow([]);
  ws.addRow([s.source]);
  for (const n of s.notes) ws.addRow([n]).font = { italic: true };
  return fixedZipDates(new Uint8Array(await wb.xlsx.writeBuffer()));
}

/**
 * The same workbook as the same bytes: exceljs stores each part of the .xlsx (a zip) with the time of writing, so
 * the DOS date and time of every local header and central-directory entry are set to 1980-01-01 00:00.
 */
export function fixedZipDates(zip: Uint8Array): Uint8Array {
  const b = Buffer.from(zip);
  const DATE = 0x0021; // 1980-01-01 (day 1, month 1, year 1980 + 0)
  const stamp = (at: number) => {
    b.writeUInt16LE(0, at);
    b.writeUInt16LE(DATE, at + 2);
  };
  const eocd = b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error("not a zip file: no end of central directory");
  const entries = b.readUInt16LE(eocd + 10);
  let at = b.readUInt32LE(eocd + 16);
  for (let k = 0; k < entries; k++) {
    if (b.readUInt32LE(at) !== 0x02014b50) throw new Error("unexpected zip layout: central directory entry");
    stamp(at + 12);
    const local = b.readUInt32LE(at + 42);
    if (b.readUInt32LE(local) !== 0x04034b50) throw new Error("unexpected zip layout: local header");
    stamp(local + 10);
    at += 46 + b.readUInt16LE(at + 28) + b.readUInt16LE(at + 30) + b.readUInt16LE(at + 32);
  }
  return new Uint8Array(b);
}

/** Writes workbooks on a worker thread (xlsx-worker.ts); `close` ends it. */
export interface WorkbookWriter {
  write(sheet: SheetInput): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * A worker thread that writes the workbooks, started on first use and ended by `close` (it keeps the process
 * alive until then). From the sources (tsx, vitest) it is xlsx-worker.ts behind a bootstrap that registers tsx;
 * from the compiled dist/ it is dist/xlsx-worker.js (src/tools/compile.js).
 */
export function workbookWriter(): WorkbookWriter {
  let worker: Worker | undefined;
  let next = 0;
  const waiting = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
  const start = () => {
    const fromSource = import.meta.url.endsWith(".ts");
    const w = new Worker(new URL(fromSource ? "./xlsx-worker-boot.mjs" : "./xlsx-worker.js", import.meta.url));
    w.on("message", (m: { id: number; bytes?: Uint8Array; error?: string }) => {
      const p = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.bytes) p?.resolve(new Uint8Array(m.bytes));
      else p?.reject(new Error(`writing a workbook failed: ${m.error}`));
    });
    w.on("error", (e) => {
      for (const p of waiting.values()) p.reject(e);
      waiting.clear();
    });
    // a worker that ends with workbooks still to write (it was stopped, or it died): they fail, nothing waits forever
    w.on("exit", (code) => {
      for (const p of waiting.values()) p.reject(new Error(`the workbook writer stopped (exit code ${code})`));
      waiting.clear();
      if (worker === w) worker = undefined;
    });
    return w;
  };
  return {
    write(sheet) {
      worker ??= start();
      const id = next++;
      const p = new Promise<Uint8Array>((resolve, reject) => {
        // a workbook takes milliseconds: one that does not come within 20 s is a failure, not a wait; the worker is
        // stopped (exceljs's writeBuffer has been seen to hang, about once in a thousand workbooks), the next write
        // starts a fresh one
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error("writing a workbook took longer than 20 s"));
          const stuck = worker;
          worker = undefined;
          void stuck?.terminate();
        }, 20_000);
        timer.unref();
        waiting.set(id, {
          resolve: (b) => {
            clearTimeout(timer);
            resolve(b);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
      });
      worker.postMessage({ id, sheet });
      return p;
    },
    async close() {
      await worker?.terminate();
      worker = undefined;
    },
  };
}

/** The workbooks of an edition's figures, written by `writer` (each resolves when written). */
export function workbooks(
  writer: WorkbookWriter,
  specs: { id: string; columns: string[]; rows: (string | number)[][] }[],
  o: { title: (id: string) => string; source: (id: string) => string; notes: (id: string) => string[] },
): Promise<Uint8Array>[] {
  return specs.map((s) => {
    const p = writer.write({ ...s, title: o.title(s.id), source: o.source(s.id), notes: o.notes(s.id) });
    p.catch(() => {}); // awaited by the caller; a failure must not become an unhandled rejection meanwhile
    return p;
  });
}
