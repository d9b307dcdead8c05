import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Ledger, LedgerEntry } from "../effects.ts";

/**
 * The send ledger: one JSON line per delivery in output/<year>/send-ledger.jsonl, appended and flushed to disk as
 * soon as the server accepted the message, so a crash loses at most the message in flight (whose stable
 * Message-ID lets the receiving side recognise a repeat).
 */
export function fileLedger(path: string): Ledger & { entries: LedgerEntry[] } {
  const entries: LedgerEntry[] = [];
  try {
    for (const line of readFileSync(path, "utf8").split("\n")) {
      if (!line.trim()) continue;
      try {
        entries.push(JSON.parse(line) as LedgerEntry);
      } catch {
        // a line cut short by a crash: that delivery was not recorded
      }
    }
  } catch {}
  const ids = new Set(entries.map((e) => e.messageId));
  return {
    entries,
    has: (id) => ids.has(id),
    async record(entry) {
      mkdirSync(dirname(path), { recursive: true });
      const fd = openSync(path, "a");
      try {
        appendFileSync(fd, `${JSON.stringify(entry)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      ids.add(entry.messageId);
      entries.push(entry);
    },
  };
}

/** A ledger in memory: a test send (--to) is not part of the mailing and leaves no record. */
export function memoryLedger(): Ledger {
  const ids = new Set<string>();
  return { has: (id) => ids.has(id), record: async (e) => void ids.add(e.messageId) };
}
