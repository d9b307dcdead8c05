/**
 * Vega-Lite → Vega → Vega's dataflow, kept between runs. Compiling the 14 figures of a build with Vega-Lite cost ~0.18
 * s of CPU and parsing them with Vega ~0.1 s more, all of it before the first edition's HTML; loading vega-lite ~0.04 s
 * more. Neither reads a chart's data values: Vega-Lite passes them through (compile/data/source.ts:
 * `{values: data.values}`; it only compares them with each other, to merge equal inline datasets), and so does Vega's
 * parser (parsers/data.js: `$ingest: data.values`). So the dataflow is kept with each dataset, and the description
 * that quotes its numbers, replaced by a placeholder, and filled in again when it is used. A new year's data then
 * finds last year's dataflow. The dataflow is kept as JSON: a build draws every figure from that form, kept or made
 * (its SVG is the same as from the parser's own objects: a test compares them).
 *
 * `vegaCode.known` is what earlier runs kept (chain/compiled-cache.ts keeps it in the machine's cache), by `vegaKey`:
 * the spec without its values, the placeholders' form and the versions of vega-lite and vega. `added` is what this
 * process made for the cache. A spec whose placeholders did not come through as they were is compiled every time
 * and not kept.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as vega from "vega";
import type { TopLevelSpec } from "vega-lite";

export const vegaCode = {
  known: new Map<string, string>(),
  added: new Map<string, string>(),
  /** the known entries this process used: kept ahead of the others when the file is written again */
  used: new Set<string>(),
};
/** The most entries a process adds (a build makes 14): a bound on what a long process holds. */
const ADDED_LIMIT = 60;

/** A placeholder: an object with this one key, whose value numbers the dataset (or "description"). */
const MARK = "\u0000bulletin-placeholder";
/** what is kept and the placeholders' form: a change to either makes every kept entry a stranger */
const FORM = 2;

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

const versions = new Map<string, string>();
/** a package's version, from its package.json (read, not imported: importing vega-lite is what a kept entry saves) */
function versionOf(name: string): string {
  const known = versions.get(name);
  if (known !== undefined) return known;
  for (let dir = dirname(createRequire(import.meta.url).resolve(name)); dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name !== name) continue;
      versions.set(name, String(pkg.version));
      return String(pkg.version);
    } catch {} // no package.json here: the folder above
  }
  throw new Error(`no package.json of ${name} above its entry point`);
}

export const vegaKey = (shape: Json) =>
  createHash("sha256")
    .update(`vega-lite ${versionOf("vega-lite")} vega ${versionOf("vega")} form ${FORM}\0`)
    .update(JSON.stringify(shape))
    .digest("hex")
    .slice(0, 32);

/**
 * Vega's dataflow (`vega.parse`'s runtime specification, for `new vega.View`) of a Vega-Lite spec: with `kept`, the
 * one an earlier run kept, or compiled and parsed and kept for the next; without, compiled and parsed. The municipal
 * batch goes without: its 600 editions' figures differ in their scales' domains (~1 new entry an edition), and its
 * render thread would only pay for the placeholders.
 */
export async function toRuntime(spec: TopLevelSpec, kept: boolean): Promise<vega.Runtime> {
  if (!kept) return vega.parse((await import("vega-lite")).compile(spec).spec);
  const { shape, parts } = withoutValues(spec);
  const key = vegaKey(shape);
  const known = vegaCode.known.get(key) ?? vegaCode.added.get(key);
  if (known !== undefined) {
    const filled = fillIn(known, parts);
    if (filled !== undefined) {
      vegaCode.used.add(key);
      return filled as unknown as vega.Runtime;
    }
    vegaCode.known.delete(key); // not as this process would have kept it: made again
  }
  const { compile } = await import("vega-lite");
  const made = JSON.stringify(vega.parse(compile(shape as unknown as TopLevelSpec).spec));
  const filled = fillIn(made, parts);
  // a placeholder that did not come through as it was: this spec is made from its values, every time
  if (filled === undefined) return vega.parse(compile(spec).spec);
  if (vegaCode.added.size < ADDED_LIMIT) vegaCode.added.set(key, made);
  return filled as unknown as vega.Runtime;
}
