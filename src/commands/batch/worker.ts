/**
 * The render thread of the municipal batch (see thread.ts): it reads config.yml, the templates and
 * the boundaries once, then renders and publishes each area it is sent; its PDFs are printed by the browser of the
 * thread that started it, through a proxy printer.
 */

import { parentPort, workerData } from "node:worker_threads";
import { fileEffects, type Printer } from "../../effects.ts";
import { RenderError } from "../../errors/problem.ts";
import { areaBuilder, failureMessage } from "./area.ts";
import type { FromWorker, ToWorker, WorkerRequest } from "./thread.ts";

const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);
const printing = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
let jobs = 0;
const printer: Printer = {
  print: (html, options) =>
    new Promise((resolve, reject) => {
      const job = jobs++;
      printing.set(job, { resolve, reject });
      post({ type: "print", job, html, options });
    }),
  close: async () => {},
};
const none = (what: string) => () => Promise.reject(new Error(`the render thread has no ${what}`));
const fx = fileEffects(
  { printer: async () => printer, mailer: none("mailer"), ledger: none("ledger"), close: async () => {} },
  { quiet: true },
);
const builder = areaBuilder(workerData as WorkerRequest, fx);
builder.catch(() => {}); // reported with the first area

port.on("message", async (m: ToWorker) => {
  if (m.type === "pdf") {
    const p = printing.get(m.job);
    printing.delete(m.job);
    if (m.bytes) p?.resolve(new Uint8Array(m.bytes));
    else p?.reject(new RenderError(m.error ?? "PDF: no answer from the printer"));
    return;
  }
  try {
    const files = await (await builder).build(m.unit);
    post({ type: "built", id: m.id, files });
  } catch (e) {
    const message = failureMessage(e);
    post({ type: "failed", id: m.id, message });
  }
});
