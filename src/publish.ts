import { basename, dirname, join } from "node:path";
import type { Effects } from "./effects.ts";

/**
 * Atomic publication: the caller writes everything into a fresh staging folder next to the target; only when all of
 * it is written is the staging folder renamed into place (rename is atomic on one file system). The previous
 * output moves aside first and is removed only after the swap, so a failure at any point leaves it intact.
 */
export async function stage(fx: Effects, target: string): Promise<string> {
  return fx.mkdtemp(join(dirname(target), `.staging-${basename(target)}-`));
}

export async function publish(fx: Effects, staging: string, target: string): Promise<void> {
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
}

export async function discard(fx: Effects, staging: string): Promise<void> {
  await fx.rm(staging);
}
