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

/** The workbooks of an edition's figures, started at once (each resolves when written). */
export function workbooks(
  specs: { id: string; columns: string[]; rows: (string | number)[][] }[],
  o: { title: (id: string) => string; source: (id: string) => string; notes: (id: string) => string[] },
): Promise<Uint8Array>[] {
  return specs.map((s) => {
    const p = toXlsx({ ...s, title: o.title(s.id), source: o.source(s.id), notes: o.notes(s.id) });
    p.catch(() => {}); // awaited by the caller; a failure must not become an unhandled rejection meanwhile
    return p;
  });
}
