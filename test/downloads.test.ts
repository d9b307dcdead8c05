import { readFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { sharedRound } from "./shared-round.ts";

/** The figures' data as Excel workbooks: typed numbers, one format per column, title, source and notes. */
let out: string;
beforeAll(async () => {
  out = await sharedRound();
}, 120_000);

async function sheet(lang: string, id: string) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(readFileSync(join(out, "2024", lang, "charts", `${id}.xlsx`)) as unknown as ArrayBuffer);
  return wb.worksheets[0]!;
}

describe("Excel downloads", () => {
  it("every figure of both editions has one, linked from the page", () => {
    for (const lang of ["nl", "en"]) {
      const html = readFileSync(join(out, "2024", lang, "bulletin.html"), "utf8");
      expect(html.match(/href="charts\/[a-z-]+\.xlsx"/g)).toHaveLength(7);
    }
  });

  it("the EU comparison: title, header, typed numbers with one format per column, source and the synthetic notice", async () => {
    const ws = await sheet("en", "eu-comparison");
    expect(String(ws.getCell("A1").value)).toMatch(/^Figure 7\. International immigration per 1,000 inhabitants/);
    const header = ws.getRow(3).values as unknown[];
    const rate = header.findIndex((v) => typeof v === "string" && /per 1,000/.test(v));
    expect(rate).toBeGreaterThan(0);
    const malta = ws.getRows(4, ws.rowCount - 3)!.find((r) => r.getCell(1).value === "Malta")!;
    expect(typeof malta.getCell(rate).value).toBe("number");
    expect(malta.getCell(rate).numFmt).toBe("#,##0.0");
    const texts = ws.getColumn(1).values.map(String);
    expect(texts).toContain("Source: Eurostat, processed by Statistics Flanders.");
    expect(texts.some((t) => t.includes("synthetic demonstration data"))).toBe(true);
    // the title bold and larger, the header bold, the notes italic; the columns wide enough for their values
    expect(ws.getCell("A1").font).toMatchObject({ bold: true, size: 12 });
    expect(ws.getRow(3).getCell(rate).font?.bold).toBe(true);
    const note = ws.getRows(1, ws.rowCount)!.find((r) => String(r.getCell(1).value).includes("synthetic"))!;
    expect(note.getCell(1).font?.italic).toBe(true);
    const table: string[] = [];
    for (let r = 3; ws.getRow(r).getCell(1).value != null; r++) table.push(String(ws.getRow(r).getCell(1).value));
    expect(ws.getColumn(1).width).toBe(Math.max(10, Math.min(40, Math.max(...table.map((t) => t.length)) + 2)));
  });

  it("the Dutch headline figure: counts as whole numbers, Dutch labels", async () => {
    const ws = await sheet("nl", "headline");
    expect(String(ws.getCell("A1").value)).toMatch(/^Figuur 1\. Internationale immigratie, emigratie en migratiesaldo/);
    const row2024 = ws.getRows(4, ws.rowCount - 3)!.find((r) => String(r.getCell(1).value) === "2024")!;
    expect(row2024.getCell(2).value).toBe(94372);
    expect(row2024.getCell(2).numFmt).toBe("#,##0");
    expect(ws.getColumn(1).values.map(String)).toContain(
      "Bron: Statbel (Rijksregister), verwerking Statistiek Vlaanderen.",
    );
  });
});
