/**
 * The municipal batch's areas built on a worker thread (worker.ts), while this thread keeps the
 * browser: it only answers the worker's print requests, so Chromium's DevTools messages are read the moment they
 * come and its pages never wait for a chart being drawn. Rendered on this thread instead, each DevTools round trip of
 * a print (a print takes several) could wait for a chart's synchronous steps (up to ~50 ms for the map: run, SVG,
 * canvas); the steady state went from 0.35 to 0.31 s per edition when the drawing moved to the worker.
 *
 *   this thread                                  worker thread
 *   build(u) ──── { build, id, unit } ─────────► render steps 5–7 of the area's editions
 *   printer.print ◄──── { print, job, html } ──── step 8: the proxy printer
 *   ──────────────────── { pdf, job, bytes } ──► 9: its folder published, sha256 of each file
 *   resolves ◄──────── { built, id, files } ───
 *
 * A worker that dies (out of memory, a crash) fails the areas it had; the next area starts a fresh one.
 */
import { readdirSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import type { Prepared } from "../../chain/prepare.ts";
import type { BuildRequest } from "../../chain/types.ts";
import type { Effects, PrintOptions } from "../../effects.ts";
import { RenderError } from "../../errors/problem.ts";
import type { AreaBuilder, PublishedFile } from "./area.ts";

/** Messages from the worker. */
export type FromWorker =
  | { type: "print"; job: number; html: string; options: PrintOptions }
  | { type: "built"; id: number; files: PublishedFile[] }
  | { type: "failed"; id: number; message: string };
/** Messages to the worker. */
export type ToWorker =
  | { type: "build"; id: number; unit: Prepared }
  | { type: "pdf"; job: number; bytes?: Uint8Array; error?: string };

/** What the worker needs to start: the request, without its caches (they do not cross threads). */
export type WorkerRequest = Omit<BuildRequest, "cache" | "preview">;

/**
 * V8's heap sizing for a batch: a heap grows by 30% over what its last full collection left (V8 lets it grow up to
 * 4× when collections are cheap), and the render thread's young generation stays at 4 MB a semi-space (16 MB by
 * default; this thread's was sized when the process started and keeps its size). Both threads keep ~30 MB alive
 * between areas, but with the defaults their heaps stood at 150–190 MB each and the batch's Node peaked at
 * 529–541 MB; with these at 281–310 MB, in the same time (168–184 s against 155–188 s for the 600 editions, runs
 * of the same hours). Set before the render thread starts, so that it is made with them.
 */
export const BATCH_HEAP_FLAGS = ["--heap-growing-percent=30", "--max-semi-space-size=4"];

/**
 * This process's threads, and the render thread that inherits it, run at a lower priority than Chromium: the batch
 * is bound by Chromium's printing, on a CPU of its own (pdf/chromium.ts), and a Node thread that the kernel runs on
 * that CPU took turns from it (Chromium used 0.87–0.91 of its CPU during the batch; 0.90–0.98 with this). Like the
 * heap flags it is the whole process's: the CLI runs a batch in a process of its own.
 */
export function yieldToChromium(nice = 5) {
  try {
    for (const tid of readdirSync("/proc/self/task"))
      setPriority(Number(tid), Math.max(getPriority(Number(tid)), nice));
  } catch {} // not Linux, or not allowed: the batch runs as before
}

export async function threadedAreaBuilder(req: BuildRequest, fx: Effects): Promise<AreaBuilder> {
  for (const flag of BATCH_HEAP_FLAGS) setFlagsFromString(flag);
  yieldToChromium();
  const { cache: _c, preview: _p, ...plain } = req;
  let worker: Worker | undefined;
  let next = 0;
  const waiting = new Map<number, { resolve: (f: PublishedFile[]) => void; reject: (e: Error) => void }>();
  const start = () => {
    const fromSource = import.meta.url.endsWith(".ts");
    const w = new Worker(new URL(fromSource ? "./worker-boot.mjs" : "./batch-worker.js", import.meta.url), {
      workerData: plain satisfies WorkerRequest,
    });
    w.on("message", (m: FromWorker) => {
      if (m.type === "print") {
        fx.printer()
          .then((p) => p.print(m.html, m.options))
          .then(
            (bytes) => w.postMessage({ type: "pdf", job: m.job, bytes } satisfies ToWorker),
            (e: Error) => w.postMessage({ type: "pdf", job: m.job, error: e.message } satisfies ToWorker),
          );
        return;
      }
      const p = waiting.get(m.id);
      waiting.delete(m.id);
      if (!waiting.size) w.unref(); // idle: it must not keep the process alive (a batch that failed before its areas)
      if (m.type === "built") p?.resolve(m.files);
      else p?.reject(new RenderError(m.message));
    });
    const fail = (e: Error) => {
      for (const p of waiting.values()) p.reject(e);
      waiting.clear();
    };
    w.on("error", fail);
    w.on("exit", (code) => {
      fail(new RenderError(`the render thread stopped (exit code ${code})`));
      if (worker === w) worker = undefined;
    });
    w.unref();
    return w;
  };
  worker = start(); // now: it loads its modules and reads the templates while the batch reads the tables
  return {
    build(unit) {
      worker ??= start();
      worker.ref(); // an area under way keeps the process alive until it is built
      const id = next++;
      const p = new Promise<PublishedFile[]>((resolve, reject) => waiting.set(id, { resolve, reject }));
      worker.postMessage({ type: "build", id, unit } satisfies ToWorker);
      return p;
    },
    async close() {
      await worker?.terminate();
      worker = undefined;
    },
  };
}
