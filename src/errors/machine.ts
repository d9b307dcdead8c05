import { dirname } from "node:path";

/*
 * Faults of the machine or of a path, not of the program: a full disk, a folder the user may not write, a read-only
 * file system, too many open files, a file that is not there or is a folder. They are the user's to fix, so they are
 * told as such (exit 1, the path, what to do), never as "internal error". Every command publishes atomically, so the
 * message can say that earlier output is untouched.
 */

const FIXES: Record<string, (path: string, dir: string) => string> = {
  ENOSPC: (p, d) =>
    `no space left on the device that holds ${p}: free some space there (\`df -h ${d}\` shows how much is left) or write elsewhere (--out DIR)`,
  EDQUOT: (p, d) =>
    `disk quota exceeded writing ${p}: free some of your space (\`quota\`, \`du -sh ${d}\`) or write elsewhere (--out DIR)`,
  EACCES: (p, d) =>
    `permission denied: ${p}: make ${d} writable for this user (\`ls -ld ${d}\`) or write elsewhere (--out DIR)`,
  EPERM: (p, d) =>
    `operation not permitted on ${p}: make ${d} writable for this user (\`ls -ld ${d}\`) or write elsewhere (--out DIR)`,
  EROFS: (p) => `${p} is on a read-only file system: write to a writable folder (--out DIR)`,
  ENOENT: (p) => `no such file or folder: ${p}: check the path (relative paths start from the current folder)`,
  EISDIR: (p) => `${p} is a folder: give the path of a file in it`,
  ENOTDIR: (p) => `a part of ${p} is a file, not a folder: check the path`,
  EMFILE: (p) => `too many open files (at ${p}): raise the limit (\`ulimit -n 4096\`) or build fewer areas at a time`,
};

/** The user's message for a fault of the machine (undefined: not one). */
export function machineFault(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  const fix = err?.code ? FIXES[err.code] : undefined;
  if (!fix) return undefined;
  const raw = err!.path ?? (err as { dest?: string }).dest;
  if (!raw) return `${fix("a file it reads or writes", ".")}; nothing was published, earlier output is as it was`;
  // a file of a staging folder is named as the file it was going to be; the folder that exists is the staging one's
  const staged = /^(.*)\/\.staging-(.+?)-[0-9a-f]{6,}(\/.*)?$/.exec(raw);
  const path = staged ? `${staged[1]}/${staged[2]}${staged[3] ?? ""}` : raw;
  const d = staged ? staged[1]! : dirname(raw);
  return `${fix(path, d)}; nothing was published, earlier output is as it was`;
}

/**
 * Node's recursive mkdir reports ENOENT where a folder cannot be made for another reason (a read-only file system:
 * EROFS, no permission: EACCES). This makes the first missing folder on its own to learn the real reason.
 */
export function realMkdirError(e: unknown, dir: string, mkdirOne: (d: string) => void, exists: (d: string) => boolean) {
  const err = e as NodeJS.ErrnoException;
  if (err.code !== "ENOENT") return err;
  let d = dir;
  while (!exists(dirname(d)) && dirname(d) !== d) d = dirname(d);
  try {
    mkdirOne(d);
  } catch (inner) {
    return inner as Error;
  }
  return err;
}
