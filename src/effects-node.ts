import { homedir } from "node:os";
import { join } from "node:path";
import { type Effects, fileEffects, type MailerOptions, once, type Printer, type Transport } from "./effects.ts";

/**
 * The real effects of a command: the machine's files, clock and log; Chromium (through puppeteer-core) as the
 * printer, started on first use and shared by every edition of the run; SMTP from the environment; the send ledger
 * as a file. The browser and SMTP modules are loaded only when first used, so `check` never loads puppeteer.
 */
export function nodeEffects(
  o: { quiet?: boolean; env?: NodeJS.ProcessEnv; startPrinter?: () => Promise<Printer> } = {},
): Effects {
  const env = o.env ?? process.env;
  const printer = once(o.startPrinter ?? (() => import("./pdf/print-pdf.ts").then((m) => m.launchPrinter({ env }))));
  // a transport per mailing (each `send` closes its pool when it ends); close() closes any left open
  const transports: Transport[] = [];
  return fileEffects(
    {
      printer: printer.get,
      secret: (name) => env[name] || undefined,
      // BULLETIN_CACHE, else the user's cache folder (XDG)
      cacheDir: env.BULLETIN_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "migration-bulletin"),
      mailer: async (o?: MailerOptions) => {
        const m = (await import("./email/smtp.ts")).smtpTransport(env, o);
        transports.push(m.transport);
        return m;
      },
      ledger: (path) => import("./email/ledger.ts").then((m) => m.fileLedger(path)),
      close: async () => {
        for (const t of transports) t.close?.();
        const p = printer.started();
        if (p) await p.then((x) => x.close()).catch(() => {});
      },
    },
    { quiet: o.quiet },
  );
}
