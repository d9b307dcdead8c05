import nodemailer from "nodemailer";
import type { Transport } from "../effects.ts";
import { UsageError } from "../errors/problem.ts";

/**
 * The SMTP connection, from the environment only: SMTP_URL (smtp://user:password@host:587, smtps://… for implicit
 * TLS), or SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_SECURE=true. Never read from config.yml, never
 * printed: `describeSmtp` masks the password.
 */
export function smtpTransport(env: NodeJS.ProcessEnv): { transport: Transport; describe: string } {
  let options: string | Record<string, unknown>;
  if (env.SMTP_URL) options = env.SMTP_URL;
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
  const t = nodemailer.createTransport(
    options as string,
    { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 } as never,
  );
  return { transport: t as unknown as Transport, describe: describeSmtp(env) };
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
