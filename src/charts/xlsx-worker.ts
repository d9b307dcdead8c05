/**
 * The workbook writer as a worker thread: exceljs is loaded and the workbooks are deflated here, off the main
 * thread, which must stay free while Chromium prints (its DevTools messages are handled there; run on the main
 * thread, loading exceljs and writing 14 workbooks delayed both PDFs by ~0.45 s).
 */
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import { type SheetInput, toXlsx } from "./xlsx.ts";

// This thread yields to Chromium and to the main thread (Linux: a thread's nice value is set through its thread
// id, /proc/thread-self); elsewhere it runs at the usual priority.
try {
  setPriority(Number(readlinkSync("/proc/thread-self").split("/").pop()), 19);
} catch {}

parentPort?.on("message", async (m: { id: number; sheet: SheetInput }) => {
  try {
    const bytes = await toXlsx(m.sheet);
    parentPort?.postMessage({ id: m.id, bytes }, [bytes.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort?.postMessage({ id: m.id, error: (e as Error).message });
  }
});
