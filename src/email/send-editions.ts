import type { Ledger, Transport } from "../effects.ts";
import { RenderError } from "../errors/problem.ts";
import type { Composed } from "./compose.ts";

/** A delivery problem that ends the run (exit code 3). */
export class DeliveryError extends RenderError {}

export interface SendResult {
  sent: string[];
  skipped: string[];
  failed: { address: string; error: string; permanent: boolean }[];
}
export interface SendOptions {
  concurrency: number;
  retries: number;
  retryDelayMs: number;
  now: () => Date;
  log: (m: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** Transient: the connection failed or dropped, or the server answered 4xx. Permanent: a 5xx answer. */
export function isTransient(e: unknown): boolean {
  const err = e as { responseCode?: number; code?: string };
  if (typeof err.responseCode === "number") return err.responseCode >= 400 && err.responseCode < 500;
  return ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ESOCKET", "ECONNECTION", "EPIPE", "EDNS", "EAI_AGAIN"].includes(
    err.code ?? "",
  );
}

/**
 * Sends every message exactly once: already-recorded ones are skipped, transient failures are retried with
 * exponential backoff, permanent ones are reported and the others still go out. At most `concurrency` at a time;
 * `messages` may be a generator, read as the senders need them.
 */
export async function sendEditions(
  messages: Iterable<Composed>,
  transport: Transport,
  ledger: Ledger,
  o: SendOptions,
): Promise<SendResult> {
  const result: SendResult = { sent: [], skipped: [], failed: [] };
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  // messages are made one at a time as a sender is free (a list of 20,000 is never held as 20,000 messages)
  const queue = messages[Symbol.iterator]();
  const next = () => {
    const n = queue.next();
    return n.done ? undefined : n.value;
  };
  let fatal: Error | undefined;
  const worker = async () => {
    for (let m = next(); m && !fatal; m = next()) {
      if (ledger.has(m.messageId)) {
        result.skipped.push(m.recipient.address);
        continue;
      }
      for (let attempt = 0; ; attempt++) {
        let info: { response?: string };
        try {
          info = await transport.sendMail(m.mail);
        } catch (e) {
          const transient = isTransient(e);
          const msg = (e as Error).message.split("\n")[0] ?? String(e);
          if (transient && attempt < o.retries) {
            const delay = o.retryDelayMs * 2 ** attempt;
            o.log(`retry ${attempt + 1}/${o.retries} for ${m.recipient.address} in ${delay} ms: ${msg}`);
            await sleep(delay);
            continue;
          }
          result.failed.push({ address: m.recipient.address, error: msg, permanent: !transient });
          o.log(`FAILED ${m.recipient.address}: ${msg}${transient ? " (gave up after retries)" : " (permanent)"}`);
          break;
        }
        // delivered: record it before anything else; if that fails, stop the whole run (exactly-once is at stake)
        try {
          await ledger.record({
            messageId: m.messageId,
            address: m.recipient.address,
            lang: m.recipient.lang,
            at: o.now().toISOString(),
            response: String(info.response ?? ""),
          });
        } catch (e) {
          fatal = new DeliveryError(
            `${m.recipient.address} was delivered but the send ledger could not be written (${(e as Error).message}); stopped so nothing is sent twice: fix the ledger's folder and run again`,
          );
          break;
        }
        result.sent.push(m.recipient.address);
        o.log(`sent ${m.recipient.address} (${m.recipient.lang})`);
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  if (fatal) throw fatal;
  return result;
}
