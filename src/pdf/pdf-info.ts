import type { PdfInfo } from "../effects.ts";

/**
 * Sets the document information of a PDF (title, subject, keywords, author, creator) by an incremental update:
 * a new Info object and a new xref section appended after the file, the original bytes untouched. Chromium's
 * print-to-PDF writes only a title; rewriting the file with a PDF library would drop the tagged structure.
 */

/** A PDF text string: literal ASCII when possible, else UTF-16BE with a byte-order mark (hex). */
export function pdfString(s: string): string {
  if (/^[\x20-\x7e]*$/.test(s)) return `(${s.replace(/[\\()]/g, (c) => `\\${c}`)})`;
  let hex = "FEFF";
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp > 0xffff) {
      const v = cp - 0x10000;
      hex += (0xd800 + (v >> 10)).toString(16).padStart(4, "0") + (0xdc00 + (v & 0x3ff)).toString(16).padStart(4, "0");
    } else hex += cp.toString(16).padStart(4, "0");
  }
  return `<${hex.toUpperCase()}>`;
}

/** A PDF date string: D:YYYYMMDDHHmmSS+00'00' (UTC). */
export function pdfDate(d: Date): string {
  const iso = d.toISOString();
  return `D:${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}+00'00'`;
}

/**
 * `date`: the creation and modification date the PDF states, instead of the moment Chromium printed it, so the same
 * edition printed twice is the same bytes. Chromium writes them once, in its Info object; they are overwritten in
 * place (the same length), so no offset in the file moves.
 */
export function setPdfInfo(pdf: Uint8Array, info: PdfInfo, date?: Date): Uint8Array {
  const buf = Buffer.from(pdf);
  if (date) {
    const d = pdfDate(date);
    for (const m of buf.toString("latin1").matchAll(/\/(?:CreationDate|ModDate)\s*\((D:[^)]*)\)/g))
      if (m[1]!.length === d.length) buf.write(d, m.index + m[0].length - 1 - d.length, "latin1");
  }
  const tail = buf.subarray(Math.max(0, buf.length - 2048)).toString("latin1");
  const startxref = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
  const trailer = /trailer\s*<<([\s\S]*?)>>\s*startxref/.exec(tail);
  if (!startxref || !trailer) throw new Error("unexpected PDF layout: no classic trailer to update");
  const size = Number(/\/Size\s+(\d+)/.exec(trailer[1]!)?.[1]);
  const root = /\/Root\s+(\d+ \d+ R)/.exec(trailer[1]!)?.[1];
  if (!size || !root) throw new Error("unexpected PDF trailer: no /Size or /Root");
  // keep the dates and producer Chromium wrote
  const oldInfoRef = /\/Info\s+(\d+) (\d+) R/.exec(trailer[1]!);
  let kept = "";
  if (oldInfoRef) {
    const m = new RegExp(`(?:^|[\\r\\n])${oldInfoRef[1]} ${oldInfoRef[2]} obj\\s*<<([\\s\\S]*?)>>\\s*endobj`).exec(
      buf.toString("latin1"),
    );
    for (const key of ["Producer", "CreationDate", "ModDate"]) {
      const v = m ? new RegExp(`/${key}\\s*(\\([^)]*\\)|<[0-9A-Fa-f]*>)`).exec(m[1]!) : null;
      if (v) kept += `/${key} ${v[1]}\n`;
    }
  }
  const obj = size;
  const body =
    `${obj} 0 obj\n<</Title ${pdfString(info.title)}\n/Subject ${pdfString(info.subject)}\n/Keywords ${pdfString(info.keywords)}\n` +
    `/Author ${pdfString(info.author)}\n/Creator ${pdfString(info.creator)}\n${kept}>>\nendobj\n`;
  const sep = buf[buf.length - 1] === 0x0a ? "" : "\n";
  const objOffset = buf.length + sep.length;
  const xrefOffset = objOffset + Buffer.byteLength(body, "latin1");
  const update =
    `${sep}${body}xref\n0 1\n0000000000 65535 f \n${obj} 1\n${String(objOffset).padStart(10, "0")} 00000 n \n` +
    `trailer\n<</Size ${obj + 1}\n/Root ${root}\n/Info ${obj} 0 R\n/Prev ${startxref[1]}>>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return new Uint8Array(Buffer.concat([buf, Buffer.from(update, "latin1")]));
}
