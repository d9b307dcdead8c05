/**
 * What earlier runs compiled, in the machine's cache (`fx.cacheDir`, beside the rounds' patterns): the templates'
 * Handlebars code (`templates-compiled.json`, narrative/write-narrative.ts `templateCode`) and the figures' Vega
 * dataflows (`vega-compiled.json`, charts/vega-specs.ts `vegaCode`). Read before the narrative is written, and what a run
 * compiled added after it. Each entry is keyed by its source and the compiler's version, so an edited template or
 * figure is compiled again and a stale entry is never used. A cache that cannot be read or written is no cache: the
 * templates and figures are compiled.
 */
import { join } from "node:path";
import { vegaCode } from "../charts/vega-specs.ts";
import type { Effects } from "../effects.ts";
import { templateCode } from "../narrative/write-narrative.ts";
import { writeAtomic } from "../publish/publish.ts";

interface Store {
  known: Map<string, string>;
  added: Map<string, string>;
  /** known entries this process used, kept ahead of the unused ones */
  used?: Set<string>;
}
/**
 * Each file, its store, and the most entries it keeps: every template of both languages and a few years of
 * editorial notes; the region's 14 figures and those of a few single-area builds (~1.6 MB at most: the file
 * is read by every build, ~40 kB an entry).
 */
const STORES: { kind: Kind; file: string; store: Store; keep: number }[] = [
  { kind: "templates", file: "templates-compiled.json", store: templateCode, keep: 400 },
  { kind: "figures", file: "vega-compiled.json", store: vegaCode, keep: 40 },
];
type Kind = "templates" | "figures";
/** the files read by this process (once each) */
const read = new Set<string>();

/**
 * What earlier runs compiled, of the kinds asked for: the templates' by whoever reads the templates, the figures'
 * only by a build that draws them from what is kept (not `check`, nor the municipal batch: chain/pipeline.ts).
 */
export async function loadCompiledCode(
  fx: Pick<Effects, "cacheDir" | "readFile" | "exists">,
  kinds: Kind[] = ["templates", "figures"],
): Promise<void> {
  if (!fx.cacheDir) return;
  for (const { kind, file, store } of STORES) {
    const path = join(fx.cacheDir, file);
    if (!kinds.includes(kind) || read.has(path)) continue;
    read.add(path);
    try {
      if (!(await fx.exists(path))) continue;
      const entries = JSON.parse((await fx.readFile(path)).toString("utf8")) as Record<string, unknown>;
      for (const [k, v] of Object.entries(entries)) if (typeof v === "string") store.known.set(k, v);
    } catch {
      // a file cut short or not JSON: what it held is compiled and the file written again
    }
  }
}

export async function saveCompiledCode(fx: Effects): Promise<void> {
  if (!fx.cacheDir) return;
  for (const { file, store, keep } of STORES) {
    if (!store.added.size) continue;
    for (const k of store.used ?? []) {
      const v = store.known.get(k);
      if (v === undefined) continue;
      store.known.delete(k); // what this run used after what it did not
      store.known.set(k, v);
    }
    store.used?.clear();
    for (const [k, v] of store.added) {
      store.known.delete(k); // the newest last: the oldest are the first left out
      store.known.set(k, v);
    }
    store.added.clear();
    const kept = [...store.known].slice(-keep);
    await writeAtomic(fx, join(fx.cacheDir, file), JSON.stringify(Object.fromEntries(kept))).catch(() => {});
  }
}
