import { cpSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";

/**
 * The output folder of the 2024 round the CLI built once for the whole run (test/global-setup.ts): `2024/nl`,
 * `2024/en` with HTML, PDF and every download. Read it; to change anything, take a `copyOfRound()`.
 */
export async function sharedRound(): Promise<string> {
  const dir = inject("round");
  for (;;) {
    if (existsSync(join(dir, "ok"))) return join(dir, "out");
    if (existsSync(join(dir, "failed")))
      throw new Error(`the shared build of the 2024 round failed: ${readFileSync(join(dir, "failed"), "utf8")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A copy of the shared round's output folder of one's own (the lock file, the cache record and all). */
export async function copyOfRound(prefix = "bulletin-copy-"): Promise<string> {
  const src = await sharedRound();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(src, dir, { recursive: true, preserveTimestamps: true });
  return dir;
}
