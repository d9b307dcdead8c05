/** Gzip tables as the readers and the round's hash take them. */
import { gunzipSync } from "node:zlib";

/**
 * gunzip in one piece: the gzip trailer gives the size, so zlib writes one buffer instead of 16 KB chunks joined
 * afterwards (the asynchronous gunzip was slower here: ~700 callbacks per file on the main thread).
 */
export function gunzipWhole(buf: Buffer): Buffer {
  const size = buf.length >= 18 ? buf.readUInt32LE(buf.length - 4) : 0;
  return gunzipSync(buf, { chunkSize: Math.min(Math.max(size + 1, 64 * 1024), 256 * 1024 * 1024) });
}

/**
 * The text of the last 16 flow files this process gunzipped, by the sha1 of their stored bytes: the round's hash
 * (chain/round.ts) digests the same files a build has just parsed, and gunzipped each a second time (gunzip in the
 * profile of a build: 104–146 → 56–64 ms).
 */
const texts = new Map<string, Buffer>();
/** The text of the table stored as `raw`: `raw` itself when it is not gzip, else the kept text or `unzip()`'s. */
export function textOf<T extends Buffer | undefined>(raw: Buffer, sha1: string, unzip: () => T): Buffer | T {
  if (raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  const known = texts.get(sha1);
  if (known) return known;
  const text = unzip();
  if (text) {
    if (texts.size >= 16) texts.delete(texts.keys().next().value as string);
    texts.set(sha1, text);
  }
  return text;
}

/** A table's bytes gunzipped (when gzip), `sha1` the hex sha1 of `raw`: kept from the reading when it was read. */
export const gunzippedText = (raw: Buffer, sha1: string): Buffer => textOf(raw, sha1, () => gunzipWhole(raw));
