import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { realMkdirError } from "../errors/machine.ts";
import { BulletinError, ExitCode } from "../errors/problem.ts";

/*
 * One writer at a time: an exclusive flock(2) on a file, as `flock` and package managers take one. The kernel drops it
 * when the process ends, however it ends (a crash, SIGKILL, a pod evicted), so a crash leaves no stale lock behind;
 * the file itself stays and means nothing. A second process either waits for the first or stops at once with a
 * message that says who holds it and what to do. (fs-ext-extra-prebuilt: fs-ext's flock with prebuilt binaries, no
 * compiler needed.)
 */

type FsExt = { flockSync(fd: number, flags: "ex" | "exnb" | "un"): number };
let fsExt: FsExt | undefined;
const flock = () => {
  fsExt ??= createRequire(import.meta.url)("fs-ext-extra-prebuilt") as FsExt;
  return fsExt;
};

export interface LockRequest {
  /** the file to lock (made, with its folder, when missing) */
  path: string;
  /** wait for the holder instead of stopping at once */
  wait: boolean;
  /** what holds it, for the messages: "another `bulletin send` of 2024" */
  holder: string;
  /** what the user can do instead of waiting: "add --wait to wait for it" */
  hint: string;
  /** told once when the lock is taken by another process and this one waits */
  onWait?: (message: string) => void;
  /** how often to try again while waiting (ms) */
  pollMs?: number;
}

/** Takes the lock; resolves with its release. */
export async function takeLock(r: LockRequest): Promise<() => void> {
  try {
    mkdirSync(dirname(r.path), { recursive: true });
  } catch (e) {
    throw realMkdirError(e, dirname(r.path), (d) => mkdirSync(d), existsSync);
  }
  const fd = openSync(r.path, "a");
  const tryLock = () => {
    try {
      flock().flockSync(fd, "exnb");
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN" || code === "EWOULDBLOCK") return false;
      closeSync(fd);
      throw e;
    }
  };
  if (!tryLock()) {
    if (!r.wait) {
      closeSync(fd);
      throw heldError(r);
    }
    r.onWait?.(`waiting for ${r.holder} to finish (it holds the lock on ${r.path})`);
    while (!tryLock()) await new Promise((res) => setTimeout(res, r.pollMs ?? 100));
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    closeSync(fd); // closing the last descriptor of the file releases the flock
  };
}

/** The message when the lock is held and the caller does not wait. */
export const heldError = (r: LockRequest) =>
  new BulletinError(`${r.holder} is running (it holds the lock on ${r.path}); ${r.hint}`, ExitCode.badInput);

/** The same locks within one process, for in-memory effects. */
export function memoryLocks(): (r: LockRequest) => Promise<() => void> {
  const held = new Set<string>();
  return async (r) => {
    if (held.has(r.path)) {
      if (!r.wait) throw heldError(r);
      r.onWait?.(`waiting for ${r.holder} to finish (it holds the lock on ${r.path})`);
      while (held.has(r.path)) await new Promise((res) => setTimeout(res, r.pollMs ?? 10));
    }
    held.add(r.path);
    return () => void held.delete(r.path);
  };
}
