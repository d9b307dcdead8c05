/**
 * A JSON file in the machine's cache (`fx.cacheDir`) named after the hash of what it was made from, and holding that
 * hash, which is checked when it is read: the rounds' patterns (round.ts) and the audits that passed
 * (commands/audit.ts). No cache folder: nothing is read or written. A file cut short, or of other inputs, reads as
 * none; a file that cannot be written is left unwritten (a cache that cannot be written is no cache).
 *
 * `once` makes a value one process at a time: processes started together (two shards of a batch, a build beside a
 * preview) that miss the same file wait for the one that makes it, and read it, instead of each making it.
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
    /**
     * The value of `hash`: read, or made by `make` (and written) under the lock `lock` of the cache folder, taken
     * after any other process that is making it. `what` names it in the message a waiting process logs.
     */
    async once(hash: string, lock: string, what: string, make: () => Promise<T>): Promise<T> {
      if (!fx.cacheDir) return make();
      const release = await fx
        .lock({
          path: join(fx.cacheDir, lock),
          wait: true,
          holder: `another process making ${what}`,
          hint: "",
          onWait: (m) => fx.log(m),
        })
        .catch(() => undefined); // a cache folder that cannot be locked: made here, as without one
      try {
        const done = release && (await this.read(hash));
        if (done) return done;
        const value = await make();
        await this.write(value);
        return value;
      } finally {
        release?.();
      }
    },
  };
}
