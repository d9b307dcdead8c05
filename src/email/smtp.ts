import { readFileSync } from "node:fs";
import nodemailer from "nodemailer";
import type { MailerOptions, Transport } from "../effects.ts";
import { UsageError } from "../errors/problem.ts";

/**
 * The SMTP connection, from the environment only: SMTP_URL (smtp://user:password@host:587, smtps://… for implicit
 * TLS), or SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_SECURE=true. Never read from config.yml, never
 * printed: `describeSmtp` masks the password.
 */
export function smtpTransport(
  env: NodeJS.ProcessEnv,
  o: MailerOptions = {},
): { transport: Transport; describe: string } {
  const dkim = o.dkim;
  let options: Record<string, unknown>;
  if (env.SMTP_URL) options = { url: env.SMTP_URL };
  else if (env.SMTP_HOST)
    options = {
      host: env.SMTP_HOST,
      port: Number(env.SMTP_PORT ?? 587),
      secure: env.SMTP_SECURE === "true",
      ...(env.SMTP_USER ? { auth: { user: env.SMTP_USER, pass: env.SMTP_PASSWORD ?? "" } } : {}),
    };
  else
    throw new UsageError(
      "no SMTP server: set SMTP_URL (e.g. smtp://user:password@mail.example.org:587) or SMTP_HOST/SMTP_PORT/SMTP_USER/SMTP_PASSWORD; or use --dry-run",
    );
  const signing = dkim
    ? { dkim: { domainName: dkim.domain, keySelector: dkim.selector, privateKey: dkimKey(env) } }
    : {};
  // pooled: a few connections kept open and reused, each for many messages (a connection per message costs a
  // handshake each and is what providers throttle); at most perSecond messages a second when given
  const pool = o.pool
    ? {
        pool: true,
        maxConnections: o.pool.connections,
        maxMessages: Number.POSITIVE_INFINITY,
        ...(o.pool.perSecond ? { rateDelta: 1000, rateLimit: o.pool.perSecond } : {}),
      }
    : {};
  const timeouts = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 };
  const t = nodemailer.createTransport({ ...options, ...timeouts, ...pool, ...signing } as never);
  const signed = dkim ? `, DKIM-signed as ${dkim.selector}._domainkey.${dkim.domain}` : "";
  return { transport: t as unknown as Transport, describe: `${describeSmtp(env)}${signed}` };
}

/** The DKIM private key: DKIM_PRIVATE_KEY (PEM) or the file DKIM_PRIVATE_KEY_FILE names. */
function dkimKey(env: NodeJS.ProcessEnv): string {
  let key = env.DKIM_PRIVATE_KEY;
  if (!key && env.DKIM_PRIVATE_KEY_FILE) {
    try {
      key = readFileSync(env.DKIM_PRIVATE_KEY_FILE, "utf8");
    } catch (e) {
      throw new UsageError(
        `DKIM_PRIVATE_KEY_FILE ${env.DKIM_PRIVATE_KEY_FILE}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
  }
  if (!key?.includes("PRIVATE KEY"))
    throw new UsageError(
      "mail.dkim is set in config.yml but there is no private key: set DKIM_PRIVATE_KEY_FILE (a PEM file) or DKIM_PRIVATE_KEY",
    );
  return key;
}

export function describeSmtp(env: NodeJS.ProcessEnv): string {
  if (env.SMTP_URL) {
    try {
      const u = new URL(env.SMTP_URL);
      return `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}:***@` : ""}${u.host}`;
    } catch {
      return "SMTP_URL (unparsable)";
    }
  }
  return `smtp://${env.SMTP_USER ? `${env.SMTP_USER}:***@` : ""}${env.SMTP_HOST}:${env.SMTP_PORT ?? 587}`;
}

/** For --dry-run: the messages as .eml bytes, nothing sent. */
export function emlTransport() {
  return nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
}
