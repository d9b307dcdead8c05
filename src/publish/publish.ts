import { basename, dirname, join } from "node:path";
import type { Effects } from "../effects.ts";

/** A file of an edition: its path inside the edition's folder and its bytes. */
export interface OutputFile {
  path: string;
  data: string | Uint8Array;
}

/**
 * Atomic publication of one folder: every file is written into a fresh staging folder next to the target; only when
 * all of it is written is the staging folder renamed into place (rename is atomic on one file system). The previous
 * output moves aside first and is removed only after the swap, so a failure at any point leaves it intact.
 *
 * `keep` names entries of the previous folder that are not the build's to replace (the send ledger, the outbox,
 * the editions of other areas published inside it): they move into the new folder before the swap.
 */
export async function publishFolder(
  fx: Effects,
  target: string,
  files: OutputFile[],
  keep: string[] = [],
): Promise<"published" | "unchanged"> {
  // a rebuild that changes nothing leaves the published files as they are (their bytes and dates)
  if (await sameAs(fx, target, files, keep)) return "unchanged";
  const staging = await fx.mkdtemp(join(dirname(target), `.staging-${basename(target)}-`));
  const moved: string[] = [];
  try {
    for (const f of files) await fx.writeFile(join(staging, f.path), f.data);
    for (const k of keep)
      if (await fx.exists(join(target, k))) {
        await fx.rename(join(target, k), join(staging, k));
        moved.push(k);
      }
    const aside = `${staging}.previous`;
    const had = await fx.exists(target);
    if (had) await fx.rename(target, aside);
    try {
      await fx.rename(staging, target);
    } catch (e) {
      if (had) await fx.rename(aside, target);
      throw e;
    }
    if (had) await fx.rm(aside);
    return "published";
  } catch (e) {
    for (const k of moved) await fx.rename(join(staging, k), join(target, k)).catch(() => {});
    await fx.rm(staging);
    throw e;
  }
}

const bytes = (d: string | Uint8Array) => (typeof d === "string" ? Buffer.from(d, "utf8") : Buffer.from(d));

/** Whether `target` holds exactly these files with these bytes (besides the entries it keeps). */
async function sameAs(fx: Effects, target: string, files: OutputFile[], keep: string[]): Promise<boolean> {
  if (!(await fx.exists(target))) return false;
  const there: string[] = [];
  const walk = async (rel: string) => {
    for (const name of await fx.list(rel ? join(target, rel) : target)) {
      const r = rel ? `${rel}/${name}` : name;
      if (!rel && keep.includes(name)) continue;
      const inner = await fx.list(join(target, r));
      if (inner.length) await walk(r);
      else there.push(r);
    }
  };
  await walk("");
  if (there.length !== files.length) return false;
  for (const f of files) {
    const old = await fx.readFile(join(target, f.path)).catch(() => undefined);
    if (!old?.equals(bytes(f.data))) return false;
  }
  return true;
}

/** One file replaced atomically (written next to it, then renamed over it). */
export async function writeAtomic(fx: Effects, path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await fx.writeFile(tmp, data);
  await fx.rename(tmp, path);
}

/**
 * The folder of an area's edition: the bulletin's own area at `<out>/<year>`, a municipality at
 * `<out>/<year>/municipalities/<nis>`, any other at `<out>/<year>/areas/<nis>`.
 */
export function editionFolder(
  o: { outDir: string; region: string },
  year: number,
  area: string,
  level?: string,
): string {
  const base = join(o.outDir, String(year));
  if (area === o.region) return base;
  return join(base, level === "municipality" ? "municipalities" : "areas", area);
}
/** What a rebuild of `<out>/<year>` keeps from the previous one: the mailing's ledger and outbox, other areas, the
 * round's disclosure record. */
export const KEEP_ON_REBUILD = ["send-ledger.jsonl", "outbox", "areas", "municipalities", "disclosure.json"];
