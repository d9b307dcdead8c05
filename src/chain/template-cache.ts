/**
 * The templates' compiled code in the machine's cache (`fx.cacheDir`, beside the rounds' patterns): read before the
 * narrative is written, and what a run compiled added after it. One file; an entry is keyed by its template's source
 * and the Handlebars version (narrative/write-narrative.ts `templateKey`), so an edited template or note is compiled
 * again and a stale entry is never used. A cache that cannot be read or written is no cache: the templates are compiled.
 */
import { join } from "node:path";
import type { Effects } from "../effects.ts";
import { templateCode } from "../narrative/write-narrative.ts";
import { writeAtomic } from "../publish/publish.ts";

const FILE = "templates-compiled.json";
/** the most entries kept: every template of both languages and a few years of editorial notes, with room to spare */
const KEEP = 400;
/** the cache folders read by this process (once each) */
const read = new Set<string>();

export async function loadTemplateCode(fx: Pick<Effects, "cacheDir" | "readFile" | "exists">): Promise<void> {
  if (!fx.cacheDir || read.has(fx.cacheDir)) return;
  read.add(fx.cacheDir);
  const file = join(fx.cacheDir, FILE);
  try {
    if (!(await fx.exists(file))) return;
    const entries = JSON.parse((await fx.readFile(file)).toString("utf8")) as Record<string, unknown>;
    for (const [k, v] of Object.entries(entries)) if (typeof v === "string") templateCode.known.set(k, v);
  } catch {
    // a file cut short or not JSON: the templates are compiled and the file written again
  }
}

export async function saveTemplateCode(fx: Effects): Promise<void> {
  if (!fx.cacheDir || !templateCode.added.size) return;
  for (const [k, v] of templateCode.added) {
    templateCode.known.delete(k); // the newest last: the oldest are the first left out
    templateCode.known.set(k, v);
  }
  templateCode.added.clear();
  const kept = [...templateCode.known].slice(-KEEP);
  await writeAtomic(fx, join(fx.cacheDir, FILE), JSON.stringify(Object.fromEntries(kept))).catch(() => {});
}
