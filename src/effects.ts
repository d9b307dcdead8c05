import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Everything the pipeline does to the outside world comes through this object (files, clock, log), so tests can
 * pass an in-memory or recording version. Browser and SMTP handles join it in the stages that need them.
 */
export interface Effects {
  readFile(path: string): Promise<Buffer>;
  exists(path: string): Promise<boolean>;
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  mkdtemp(prefix: string): Promise<string>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string): Promise<void>;
  now(): Date;
  log(message: string): void;
  warn(message: string): void;
}

export function nodeEffects(opts: { quiet?: boolean } = {}): Effects {
  return {
    readFile: (p) => readFile(p),
    exists: async (p) => {
      try {
        await stat(p);
        return true;
      } catch {
        return false;
      }
    },
    writeFile: async (p, data) => {
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, data);
    },
    mkdtemp: async (prefix) => {
      await mkdir(dirname(prefix), { recursive: true });
      return mkdtemp(prefix);
    },
    rename: (a, b) => rename(a, b),
    rm: (p) => rm(p, { recursive: true, force: true }),
    now: () => new Date(),
    log: (m) => {
      if (!opts.quiet) process.stderr.write(`${m}\n`);
    },
    warn: (m) => process.stderr.write(`warning: ${m}\n`),
  };
}
