import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { type Effects, nodeEffects } from "../src/effects.ts";

export const root = resolve(import.meta.dirname, "..");
export const shared = resolve(root, "../shared");
export const configPath = join(root, "config.yml");

/** Real file system, except for the paths given (relative to the project root), which read from memory. */
export function overlayEffects(overrides: Record<string, string | Buffer> = {}): Effects & { logs: string[] } {
  const base = nodeEffects({ quiet: true });
  const logs: string[] = [];
  const map = new Map(Object.entries(overrides).map(([k, v]) => [resolve(root, k), v]));
  return {
    ...base,
    readFile: async (p) => {
      const o = map.get(resolve(root, p));
      if (o !== undefined) return Buffer.isBuffer(o) ? o : Buffer.from(o, "utf8");
      return base.readFile(resolve(root, p));
    },
    exists: async (p) => map.has(resolve(root, p)) || base.exists(resolve(root, p)),
    log: (m) => logs.push(m),
    warn: (m) => logs.push(`warning: ${m}`),
    logs,
  };
}

/** The text of a shipped data file (gunzipped when needed). */
export function dataText(rel: string): string {
  const buf = readFileSync(join(root, rel));
  return (buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf).toString("utf8");
}

/** Replaces line `n` (1-based) of a text. */
export function replaceLine(text: string, n: number, f: (line: string) => string): string {
  const lines = text.split("\n");
  lines[n - 1] = f(lines[n - 1] ?? "");
  return lines.join("\n");
}
