import { isUtf8 } from "node:buffer";
import { problem } from "../errors/messages.ts";
import type { Problem } from "../errors/problem.ts";

/**
 * Text files are decoded strictly: bytes that are not UTF-8 are reported (file, line, byte column), never replaced
 * by U+FFFD and carried into a published name. The check is Node's native `isUtf8` over the whole file; only a file
 * that fails it is scanned to locate the first bad byte.
 */
export function decodeUtf8(file: string, bytes: Uint8Array, problems: Problem[]): string | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buf)) return buf.toString("utf8");
  const at = firstInvalidByte(buf);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++)
    if (buf[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  const shown = [...buf.subarray(at, Math.min(at + 2, buf.length))]
    .map((b) => b.toString(16).toUpperCase().padStart(2, "0"))
    .join(" ");
  problems.push(problem("not-utf8", { file, line, column: at - lineStart + 1 }, { bytes: shown }));
  return undefined;
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
export function firstInvalidByte(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const need =
      c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
    }
    // overlong three- and four-byte forms, surrogates and code points above U+10FFFF
    const d = b[i + 1] ?? 0;
    if ((c === 0xe0 && d < 0xa0) || (c === 0xed && d > 0x9f) || (c === 0xf0 && d < 0x90) || (c === 0xf4 && d > 0x8f))
      return i;
    i += need + 1;
  }
  return b.length;
}

/** Control characters other than tab (and the line ends) have no place in a text field. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's purpose
export const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
