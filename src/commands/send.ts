/**
 * `bulletin send`, chained: 1 config ─ 2 subscribers (checked before anything is sent) ─ 3 the built editions ─
 * 4 one message per subscriber ─ 5 the outbox (dry run) or SMTP through fx.mailer, exactly once through the ledger.
 */
import { join } from "node:path";
import { loadConfig } from "../config/read-config.ts";
import type { Config } from "../config/schema.ts";
import type { Lang } from "../core/domain.ts";
import type { Effects } from "../effects.ts";
import { loadEditionAssets } from "../email/assets.ts";
import { composeMessage } from "../email/compose.ts";
import { memoryLedger } from "../email/ledger.ts";
import { type SendResult, sendEditions } from "../email/send-editions.ts";
import { readSubscribers } from "../email/subscribers.ts";
import { SECRET_ENV, unsubscribeToken } from "../email/unsubscribe.ts";
import { ExitCode, InputError, UsageError } from "../errors/problem.ts";
import { readUnsubscribed, unsubscribeList } from "./unsubscribe.ts";

// ── send ───────────────────────────────────────────────────────────────────────────────────────────────────────

export interface SendRequest {
  configPath: string;
  year?: number;
  outDir?: string;
  langs?: Lang[];
  dryRun?: boolean;
  /** the areas whose subscribers receive their area's edition (default: the bulletin's own area) */
  areas?: string[];
  /** a test send to this address: one message per language, not recorded in the ledger */
  to?: string;
  /** when another send of the round holds its ledger: wait for it (else stop at once) */
  wait?: boolean;
  sleep?: (ms: number) => Promise<void>;
}

export async function send(
  req: SendRequest,
  fx: Effects,
): Promise<SendResult & { dryRunFiles: string[]; ledger?: string }> {
  const config = await loadConfig(req.configPath, fx); // 1
  const year = req.year ?? config.year;
  const langs = req.langs ?? config.languages;
  const region = config.geography.region;
  const areas = new Set(req.areas ?? [region]);
  const { recipients, linkOf } = await mailingList(config, req, { region, areas, langs }, fx); // 2
  const dir = join(req.outDir ?? config.output.dir, String(year));
  await refuseUnsafe(dir, req.configPath, fx);
  const assets = await editionAssets(config, dir, year, recipients, fx); // 3
  const compose = (r: Recipient) =>
    composeMessage(config, assets.get(r.area ?? region)!.get(r.lang)!, r, {
      test: Boolean(req.to),
      unsubscribeUrl: linkOf(r.address),
    });
  // 4: made as they are sent (a message with its PDF is large; 20,000 of them at once would be gigabytes)
  const messages = {
    *[Symbol.iterator]() {
      for (const r of recipients) yield compose(r);
    },
  };
  if (req.dryRun) {
    const { writeOutbox } = await import("../email/outbox.ts"); // loads nodemailer
    const files = await writeOutbox([...messages], dir, fx); // 5
    fx.log(`dry run: ${files.length} message(s) written to ${join(dir, "outbox")}, nothing sent`);
    return { sent: [], skipped: [], failed: [], dryRunFiles: files };
  }
  const mail = config.mail!;
  const smtp = await fx.mailer({
    dkim: mail.dkim,
    pool: { connections: mail.concurrency, perSecond: mail.ratePerSecond },
  });
  fx.log(`sending ${recipients.length} message(s) through ${smtp.describe}`);
  // a test send (--to) is not part of the mailing: it is not recorded, and it does not block the real send
  const ledgerPath = join(dir, "send-ledger.jsonl");
  // one sender of a round at a time: the ledger is locked before it is read (a second send waits or stops), so two
  // sends started together (a timer and a person, two pods) never mail anyone twice
  const release = req.to
    ? undefined
    : await fx.lock({
        path: ledgerPath,
        wait: Boolean(req.wait),
        holder: `another \`bulletin send\` of ${year}`,
        hint: "it mails every subscriber the ledger does not hold; add --wait to wait for it and then mail whoever it missed",
        onWait: (m) => fx.log(m),
      });
  let result: SendResult;
  try {
    const ledger = req.to ? memoryLedger() : await fx.ledger(ledgerPath);
    result = await sendEditions(messages, smtp.transport, ledger, {
      concurrency: mail.concurrency,
      retries: mail.retries,
      retryDelayMs: mail.retryDelayMs,
      now: () => fx.now(),
      log: (m) => fx.log(m),
      sleep: req.sleep,
    }); // 5
  } finally {
    release?.();
    // the pool's connections are the mailing's: closed when it ends (else they stay open until the server's timeout)
    smtp.transport.close?.();
  }
  return { ...result, dryRunFiles: [], ...(req.to ? {} : { ledger: ledgerPath }) };
}

/**
 * A round that fails the confidentiality audit is not mailed: everything the year's folder publishes, read together,
 * must keep every hidden count hidden (README § Confidentiality). A folder with no edition is left to the check that
 * says what to build.
 */
async function refuseUnsafe(dir: string, configPath: string, fx: Effects) {
  const { auditDirs } = await import("./audit.ts");
  const audited = await auditDirs({ dirs: [dir], configPath, reuse: true }, fx).catch((e: Error) => e);
  if (audited instanceof InputError && !(await fx.exists(dir))) return;
  if (audited instanceof Error) {
    if (/no edition in it|no such folder/.test(audited.message)) return;
    throw audited;
  }
  const { report, minCount } = audited;
  if (!report.findings.length && !report.conflicts.length) return;
  const first = report.findings[0];
  throw new InputError(
    `${dir} is not safe to publish, so nothing was sent: ${report.findings.length} count(s) of 1–${minCount - 1} published or worked out${first ? ` (first: ${first.key.split("|").join(" ")})` : ""}; rebuild the round with this program (npx bulletin build --year …) and see \`npx bulletin audit ${dir}\``,
  );
}

/** `bulletin send` as the command line runs it: what was sent, skipped and failed (exit 3 on a failure). */
export async function runSend(
  o: {
    config: string;
    year?: number;
    area?: string[];
    out?: string;
    lang?: Lang[];
    dryRun?: boolean;
    to?: string;
    wait?: boolean;
  },
  fx: Effects,
) {
  const r = await send(
    {
      configPath: o.config,
      year: o.year,
      areas: o.area,
      outDir: o.out,
      langs: o.lang,
      dryRun: o.dryRun,
      to: o.to,
      wait: o.wait,
    },
    fx,
  );
  if (o.dryRun) return;
  process.stderr.write(
    `sent ${r.sent.length}, skipped ${r.skipped.length} (already sent), failed ${r.failed.length}${r.ledger ? `; ledger: ${r.ledger}` : ""}\n`,
  );
  for (const f of r.failed) process.stderr.write(`  failed: ${f.address}: ${f.error}\n`);
  if (r.failed.length) process.exitCode = ExitCode.failure;
}

type Recipient = Awaited<ReturnType<typeof readSubscribers>>[number];

/** Who is mailed (the subscribers of the areas asked for, less who unsubscribed) and each one's unsubscribe link. */
async function mailingList(
  config: Config,
  req: SendRequest,
  o: { region: string; areas: Set<string>; langs: Lang[] },
  fx: Effects,
) {
  const { region, areas, langs } = o;
  const listed = await readSubscribers(config, { configPath: req.configPath, langs, to: req.to }, fx);
  // who unsubscribed (one-click, or by mail through `bulletin unsubscribe add`) is not mailed again
  const unsub = config.mail?.unsubscribe;
  const gone = unsub && !req.to ? await readUnsubscribed(config, fx) : new Set<string>();
  const all = listed.filter((r) => !gone.has(r.address.toLowerCase()));
  if (listed.length > all.length)
    fx.log(`${listed.length - all.length} subscriber(s) skipped: on the unsubscribe list ${unsubscribeList(config)}`);
  const secret = unsub ? fx.secret(SECRET_ENV) : undefined;
  if (unsub && !secret)
    throw new UsageError(
      `mail.unsubscribe is set in config.yml but ${SECRET_ENV} is not: set it in the environment to the secret that signs the unsubscribe links (the same one \`bulletin unsubscribe serve\` checks them with)`,
    );
  const linkOf = (address: string) =>
    unsub && secret ? unsub.url.replaceAll("{token}", unsubscribeToken(secret, address, fx.now())) : undefined;
  // each subscriber receives the edition of their area (a test send: the areas asked for)
  const recipients = req.to
    ? [...areas].flatMap((area) => all.map((r) => ({ ...r, area })))
    : all.filter((r) => areas.has(r.area ?? region));
  // the link instead of the PDF: every message must then have a link to its edition
  if (config.mail?.attach === "link") {
    if (!config.mail.webUrl)
      throw new UsageError(
        "mail.attach is link but mail.webUrl is not set: the messages would have neither PDF nor link",
      );
    if (!config.mail.areaWebUrl && recipients.some((r) => (r.area ?? region) !== region))
      throw new UsageError(
        "mail.attach is link but mail.areaWebUrl is not set: an area's subscribers would get neither PDF nor link",
      );
  }
  return { recipients, linkOf };
}

/** The built editions the recipients receive, by area and language: in the year's folder (the region), or under
 * municipalities/ or areas/. */
async function editionAssets(config: Config, dir: string, year: number, recipients: Recipient[], fx: Effects) {
  const region = config.geography.region;
  const folderOf = async (area: string, lang: Lang) =>
    area === region
      ? dir
      : (await fx.exists(join(dir, "municipalities", area, lang, "summary.json")))
        ? join(dir, "municipalities", area)
        : join(dir, "areas", area);
  const assets = new Map<string, Awaited<ReturnType<typeof loadEditionAssets>>>();
  for (const area of new Set(recipients.map((r) => r.area ?? region))) {
    const langsOf = [...new Set(recipients.filter((r) => (r.area ?? region) === area).map((r) => r.lang))];
    assets.set(
      area,
      await loadEditionAssets(
        await folderOf(area, langsOf[0]!),
        { year, langs: langsOf, synthetic: config.synthetic },
        fx,
      ),
    );
  }
  return assets;
}
