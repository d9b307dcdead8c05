/**
 * Vega-Lite → Vega, kept between runs. Compiling the 14 figures of a build cost ~0.18 s of CPU, all of it before the
 * first edition's HTML, and loading vega-lite ~0.04 s more. Vega-Lite passes a chart's data values through unread
 * (compile/data/source.ts: `{values: data.values}`; they are only compared with each other, to merge equal inline
 * datasets), so the compiled spec is kept with each dataset, and the description that quotes its numbers, replaced by
 * a placeholder, and filled in again when it is used. A new year's data then finds last year's compiled spec.
 *
 * `vegaCode.known` is what earlier runs compiled (chain/compiled-cache.ts keeps it in the machine's cache), by
 * `vegaKey`: the spec without its values, the placeholders' form and vega-lite's version. `added` is what this
 * process compiled for the cache. A spec whose placeholders Vega-Lite did not pass through as they were is compiled
 * every time and not kept.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { TopLevelSpec } from "vega-lite";

export const vegaCode = { known: new Map<string, string>(), added: new Map<string, string>() };

/** A placeholder: an object with this one key, whose value numbers the dataset (or "description"). */
const MARK = "\u0000bulletin-placeholder";
/** the placeholders' form: a change to it makes every kept spec a stranger */
const FORM = 1;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObject = (v: unknown): v is { [k: string]: Json } => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The spec with its inline data values (every `data: {values}` and every `datasets` entry) and its top-level
 * description replaced by placeholders, and what they stand for. Equal datasets share one placeholder, so that
 * Vega-Lite still merges them as it would the values themselves.
 */
export function withoutValues(spec: TopLevelSpec): { shape: Json; parts: Json[] } {
  const parts: Json[] = [];
  const seen = new Map<string, number>();
  const hold = (v: Json): Json => {
    const text = JSON.stringify(v);
    let i = seen.get(text);
    if (i === undefined) {
      i = parts.push(v) - 1;
      seen.set(text, i);
    }
    return { [MARK]: i };
  };
  const walk = (v: Json, key?: string): Json => {
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (!isObject(v)) return v;
    const out: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) {
      if (key === "data" && k === "values" && typeof x !== "string") out[k] = hold(x);
      else if (key === "datasets") out[k] = hold(x);
      else out[k] = walk(x, k);
    }
    return out;
  };
  const shape = walk(spec as unknown as Json) as { [k: string]: Json };
  if (typeof shape.description === "string") {
    parts.push(shape.description);
    shape.description = { [MARK]: "description" };
  }
  return { shape, parts };
}

/**
 * The compiled spec with its placeholders filled in, or undefined if it is not JSON, or if any placeholder is missing
 * or was changed (a mark left anywhere but as a whole value).
 */
export function fillIn(compiled: string, parts: Json[]): Json | undefined {
  const used = new Set<number | string>();
  let marks = 0;
  const walk = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isObject(v)) return v;
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === MARK) {
      const id = v[MARK] as number | string;
      marks++;
      used.add(id);
      return id === "description" ? parts[parts.length - 1]! : parts[id as number]!;
    }
    const out: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x);
    return out;
  };
  let parsed: Json;
  try {
    parsed = JSON.parse(compiled) as Json;
  } catch {
    return undefined; // an entry cut short
  }
  const filled = walk(parsed);
  const everyPart = used.size === parts.length;
  const asWholeValues = compiled.split(JSON.stringify(MARK).slice(1, -1)).length - 1 === marks;
  return everyPart && asWholeValues ? filled : undefined;
}

let version: string | undefined;
/** vega-lite's version, from its package.json (read, not imported: importing it is what a kept spec saves) */
function vegaLiteVersion(): string {
  if (version === undefined) {
    const require = createRequire(import.meta.url);
    let dir = dirname(require.resolve("vega-lite"));
    while (!existsJson(join(dir, "package.json"), "vega-lite")) dir = dirname(dir);
    version = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
  }
  return version;
}
function existsJson(file: string, name: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { name?: string }).name === name;
  } catch {
    return false;
  }
}

export const vegaKey = (shape: Json) =>
  createHash("sha256")
    .update(`vega-lite ${vegaLiteVersion()} form ${FORM}\0`)
    .update(JSON.stringify(shape))
    .digest("hex")
    .slice(0, 32);

/** The Vega spec of a Vega-Lite spec: kept from an earlier run, or compiled (and kept when `keep` says so). */
export async function toVega(spec: TopLevelSpec, keep: boolean): Promise<object> {
  const { shape, parts } = withoutValues(spec);
  const key = vegaKey(shape);
  const known = vegaCode.known.get(key) ?? vegaCode.added.get(key);
  if (known !== undefined) {
    const filled = fillIn(known, parts);
    if (filled !== undefined) return filled as object;
    vegaCode.known.delete(key); // not as this process would have kept it: compiled again
  }
  const { compile } = await import("vega-lite");
  const compiled = JSON.stringify(compile(shape as unknown as TopLevelSpec).spec);
  const filled = fillIn(compiled, parts);
  if (filled === undefined) return compile(spec).spec; // Vega-Lite changed a placeholder: this spec is not kept
  if (keep) vegaCode.added.set(key, compiled);
  return filled as object;
}
