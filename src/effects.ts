import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type Mail from "nodemailer/lib/mailer/index.js";
import { type LockRequest, memoryLocks } from "./core/lock.ts";
import { realMkdirError } from "./errors/machine.ts";

/**
 * Everything the pipeline does to the outside world comes through one object: files, clock, log, the browser that
 * prints the PDFs, the SMTP transport and the send ledger. Stages and the pipeline receive it; they never import
 * `node:fs`, puppeteer or nodemailer for themselves. Tests pass in-memory versions where they test logic
 * (`memoryEffects`) and the real ones (`src/effects-node.ts`) in the end-to-end tests.
 */
export interface Effects {
  readFile(path: string): Promise<Buffer>;
  exists(path: string): Promise<boolean>;
  /** writes a file, creating its folder */
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  /** the names in a folder ([] when it does not exist) */
  list(path: string): Promise<string[]>;
  /** a new empty folder named `prefix` + a unique suffix, with the mode the umask gives (it is published as is) */
  mkdtemp(prefix: string): Promise<string>;
  rename(from: string, to: string): Promise<void>;
  /** an exclusive lock on a file, held until the returned function is called, close() or the process ends (core/lock.ts) */
  lock(r: LockRequest): Promise<() => void>;
  rm(path: string): Promise<void>;
  now(): Date;
  log(message: string): void;
  warn(message: string): void;
  /** The browser that prints PDFs: started on first use, shared by every edition of the run, closed by `close()`. */
  printer(): Promise<Printer>;
  /** An SMTP transport for one mailing, with a description that never shows the password: pooled as `pool` says,
   * signing with DKIM when `dkim` is given (the private key comes from the environment). */
  mailer(o?: MailerOptions): Promise<{ transport: Transport; describe: string }>;
  /** A secret from the environment (never from config.yml), e.g. the key that signs unsubscribe links. */
  secret(name: string): string | undefined;
  /** The send ledger kept at `path`. */
  ledger(path: string): Promise<Ledger>;
  /** Releases what was started (the browser, the SMTP connections). */
  close(): Promise<void>;
  /** A folder of the machine for results that depend only on their inputs (a round's disclosure pattern, kept under
   * the hash of its inputs); none: nothing is kept between runs. */
  cacheDir?: string;
}

/** What the PDF stage needs from a browser. */
export interface Printer {
  print(html: string, o: PrintOptions): Promise<Uint8Array>;
  close(): Promise<void>;
  /** how many browsers it has started so far (a long run replaces its browser now and then) */
  stats?(): { browsers: number };
  /** from now on the browser may use every CPU (it starts on one on a small machine: pdf/chromium.ts) */
  unpin?(): void;
}
export interface PrintOptions {
  lang: string;
  info: PdfInfo;
  /** running header text (title and year) */
  header: string;
  /** footer text with {page} and {total} */
  footer: string;
  /** the creation date the PDF states (the edition's publication date): the same edition, the same bytes */
  date?: Date;
}
export interface PdfInfo {
  title: string;
  subject: string;
  keywords: string;
  author: string;
  creator: string;
}

/** How `send` wants its SMTP connections: DKIM signing, and the pool (connections, messages per second). */
export interface MailerOptions {
  dkim?: { domain: string; selector: string };
  pool?: { connections: number; perSecond?: number };
}

/** The part of a nodemailer transport the mailing uses. */
export interface Transport {
  sendMail(mail: Mail.Options): Promise<{ response?: string; accepted?: unknown[] }>;
  close?(): void;
}
/** The ledger records each delivery as it happens; a rerun skips what it holds. */
export interface Ledger {
  has(messageId: string): boolean;
  record(entry: LedgerEntry): Promise<void>;
}
export interface LedgerEntry {
  messageId: string;
  address: string;
  lang: string;
  at: string;
  response: string;
}

/** A promise started on first call and shared afterwards. */
export function once<T>(start: () => Promise<T>): { get: () => Promise<T>; started: () => Promise<T> | undefined } {
  let p: Promise<T> | undefined;
  return {
    get: () => {
      p ??= start();
      return p;
    },
    started: () => p,
  };
}

/** The file system, clock and log of the real machine; browser, SMTP and ledger come from `parts`. */
export function fileEffects(
  parts: Pick<Effects, "printer" | "mailer" | "ledger" | "close"> & Partial<Pick<Effects, "secret" | "cacheDir">>,
  opts: { quiet?: boolean } = {},
): Effects {
  // the locks these effects took: released by close() at the latest (a command run in a longer process lets go)
  const held = new Set<() => void>();
  return {
    secret: () => undefined,
    readFile: (p) =>
      // a read that fails on an open file (a folder: "EISDIR …, read") does not say which; the message must
      readFile(p).catch((e: NodeJS.ErrnoException) => {
        throw Object.assign(e, { path: e.path ?? p });
      }),
    exists: async (p) => {
      try {
        await stat(p);
        return true;
      } catch {
        return false;
      }
    },
    writeFile: async (p, data) => {
      try {
        await mkdir(dirname(p), { recursive: true }).catch((e) => {
          throw realMkdirError(e, dirname(p), (d) => mkdirSync(d), existsSync);
        });
        await writeFile(p, data);
      } catch (e) {
        // a write that fails (a full disk: "ENOSPC …, write") does not say which file; the message must
        throw Object.assign(e as Error, { path: (e as NodeJS.ErrnoException).path ?? p });
      }
    },
    list: async (p) => readdir(p).catch(() => []),
    mkdtemp: async (prefix) => {
      await mkdir(dirname(prefix), { recursive: true }).catch((e) => {
        throw realMkdirError(e, dirname(prefix), (d) => mkdirSync(d), existsSync);
      });
      // not fs.mkdtemp: it makes the folder 0700 whatever the umask, and a staging folder is renamed into place as the
      // published one, which a web server running as another user must be able to read
      for (;;) {
        const dir = `${prefix}${randomBytes(6).toString("hex")}`;
        try {
          await mkdir(dir);
          return dir;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        }
      }
    },
    rename: (a, b) => rename(a, b),
    lock: async (r) => {
      const release = await (await import("./core/lock.ts")).takeLock(r);
      held.add(release);
      return () => {
        held.delete(release);
        release();
      };
    },
    rm: (p) => rm(p, { recursive: true, force: true }),
    now: () => new Date(),
    log: (m) => {
      if (!opts.quiet) process.stderr.write(`${m}\n`);
    },
    warn: (m) => process.stderr.write(`warning: ${m}\n`),
    ...parts,
    close: async () => {
      for (const release of held) release();
      held.clear();
      await parts.close();
    },
  };
}

const notGiven = (what: string) => () => Promise.reject(new Error(`no ${what} in these effects`));

/**
 * Effects held in memory, for tests of the logic: files in a Map (paths as given), a fixed clock, logs collected,
 * a ledger in memory; a printer and a transport only when the test passes them.
 */
export function memoryEffects(
  o: { files?: Record<string, string | Uint8Array>; now?: Date; printer?: Printer; transport?: Transport } = {},
): Effects & { files: Map<string, Uint8Array>; logs: string[]; ledgers: Map<string, LedgerEntry[]> } {
  const files = new Map<string, Uint8Array>();
  const enc = (d: string | Uint8Array) => (typeof d === "string" ? new TextEncoder().encode(d) : d);
  for (const [k, v] of Object.entries(o.files ?? {})) files.set(k, enc(v));
  const logs: string[] = [];
  const ledgers = new Map<string, LedgerEntry[]>();
  let n = 0;
  const under = (dir: string) => [...files.keys()].filter((k) => k.startsWith(`${dir}/`));
  return {
    files,
    logs,
    ledgers,
    secret: () => undefined,
    readFile: async (p) => {
      const f = files.get(p);
      if (!f) throw Object.assign(new Error(`ENOENT: ${p}`), { code: "ENOENT" });
      return Buffer.from(f);
    },
    exists: async (p) => files.has(p) || under(p).length > 0,
    writeFile: async (p, d) => void files.set(p, enc(d)),
    list: async (p) => [...new Set(under(p).map((k) => k.slice(p.length + 1).split("/")[0]!))],
    mkdtemp: async (prefix) => `${prefix}${++n}`,
    lock: memoryLocks(),
    rename: async (a, b) => {
      if (!files.has(a) && under(a).length === 0) throw Object.assign(new Error(`ENOENT: ${a}`), { code: "ENOENT" });
      for (const k of [a, ...under(a)]) {
        const v = files.get(k);
        if (v === undefined) continue;
        files.delete(k);
        files.set(b + k.slice(a.length), v);
      }
    },
    rm: async (p) => {
      for (const k of [p, ...under(p)]) files.delete(k);
    },
    now: () => o.now ?? new Date("2025-07-15T08:00:00Z"),
    log: (m) => void logs.push(m),
    warn: (m) => void logs.push(`warning: ${m}`),
    printer: o.printer ? () => Promise.resolve(o.printer!) : notGiven("printer"),
    mailer: o.transport
      ? () => Promise.resolve({ transport: o.transport!, describe: "(test transport)" })
      : notGiven("SMTP transport"),
    ledger: async (path) => {
      const entries = ledgers.get(path) ?? [];
      ledgers.set(path, entries);
      return {
        has: (id) => entries.some((e) => e.messageId === id),
        record: async (e) => void entries.push(e),
      };
    },
    close: async () => {},
  };
}
