/**
 * The floor of `npm run bench -- send` (bench-send.ts): COUNT copies of one message, composed once before the clock
 * matters, sent over the same pooled SMTP connections `bulletin send` uses, with nothing else done (no list, no
 * ledger, no per-recipient message). Arguments: config.yml, the edition's year folder, COUNT.
 */
import { loadConfig } from "../config/read-config.ts";
import { fileEffects } from "../effects.ts";
import { loadEditionAssets } from "../email/assets.ts";
import { composeMessage } from "../email/compose.ts";
import { smtpTransport } from "../email/smtp.ts";

const [configPath, folder, count] = process.argv.slice(2) as [string, string, string];
const fx = fileEffects({
  printer: () => Promise.reject(new Error("no printer")),
  mailer: () => Promise.reject(new Error("no mailer")),
  ledger: () => Promise.reject(new Error("no ledger")),
  close: async () => {},
});
const config = await loadConfig(configPath, fx);
const mail = config.mail!;
const assets = await loadEditionAssets(folder, { year: 2024, langs: ["nl"], synthetic: config.synthetic }, fx);
const message = composeMessage(config, assets.get("nl")!, { address: "reader@example.org", lang: "nl" }).mail;
const { transport } = smtpTransport(process.env, { pool: { connections: mail.concurrency } });
let next = 0;
const n = Number(count);
await Promise.all(
  Array.from({ length: mail.concurrency }, async () => {
    while (next < n) {
      next++;
      await transport.sendMail(message);
    }
  }),
);
transport.close?.();
