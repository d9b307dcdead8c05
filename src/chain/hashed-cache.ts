/**
 * A JSON file in the machine's cache (`fx.cacheDir`) named after the hash of what it was made from, and holding that
 * hash, which is checked when it is read: the rounds' patterns (round.ts) and the audits that passed
 * (commands/audit.ts). No cache folder: nothing is read or written. A file cut short, or of other inputs, reads as
 * none; a file that cannot be written is left unwritten (a cache that cannot be written is no cache).
 */
import { join } from "node:path";
import type { Effects } from "../effects.ts";
import { writeAtomic } from "../publish/publish.ts";

export function hashedCache<T extends { hash: string }>(fx: Effects, name: (hash: string) => string) {
  const file = (hash: string) => (fx.cacheDir ? join(fx.cacheDir, name(hash)) : undefined);
  return {
    async read(hash: string): Promise<T | undefined> {
      const f = file(hash);
      if (!f || !(await fx.exists(f))) return undefined;
      try {
        const c = JSON.parse((await fx.readFile(f)).toString("utf8")) as T;
        return c.hash === hash ? c : undefined;
      } catch {
        return undefined;
      }
    },
    async write(value: T) {
      const f = file(value.hash);
      if (f) await writeAtomic(fx, f, JSON.stringify(value)).catch(() => {});
    },
  };
}
