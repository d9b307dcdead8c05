import { createHmac, timingSafeEqual } from "node:crypto";

/*
 * One-click unsubscribe (RFC 8058): every message carries a link of its own, `mail.unsubscribe.url` with {token}
 * replaced, and the headers `List-Unsubscribe: <https://…>` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
 * The token names the address and the day it was issued, signed with HMAC-SHA256 under a secret that comes from the
 * environment (BULLETIN_UNSUBSCRIBE_SECRET), never from config.yml: no one can unsubscribe someone else, and a token
 * older than `validDays` is refused. `bulletin unsubscribe serve` checks the token and records the address in the
 * unsubscribe list (one address per line), which `send` honours. Pure, but for the clock passed in.
 */

export const SECRET_ENV = "BULLETIN_UNSUBSCRIBE_SECRET";
const DAY = 86_400_000;

const b64 = (b: Buffer | string) => Buffer.from(b).toString("base64url");
const mac = (secret: string, payload: string) =>
  createHmac("sha256", secret).update(`unsubscribe|${payload}`).digest().subarray(0, 20);

/** The token of `address`, issued on `now`'s day. */
export function unsubscribeToken(secret: string, address: string, now: Date): string {
  const payload = `${address.toLowerCase()}|${Math.floor(now.getTime() / DAY)}`;
  return `${b64(payload)}.${b64(mac(secret, payload))}`;
}

export type TokenCheck =
  | { ok: true; address: string }
  | { ok: false; status: 400 | 403; reason: "malformed" | "forged" | "expired" };

/** Whether `token` was issued under `secret` less than `validDays` ago, and for which address. */
export function checkToken(secret: string, token: string, now: Date, validDays: number): TokenCheck {
  const [p, s, extra] = token.split(".");
  if (!p || !s || extra !== undefined) return { ok: false, status: 400, reason: "malformed" };
  const payload = Buffer.from(p, "base64url").toString("utf8");
  const m = /^([^|\s]+@[^|\s]+)\|(\d+)$/.exec(payload);
  if (!m) return { ok: false, status: 400, reason: "malformed" };
  const given = Buffer.from(s, "base64url");
  const want = mac(secret, payload);
  if (given.length !== want.length || !timingSafeEqual(given, want))
    return { ok: false, status: 403, reason: "forged" };
  const age = Math.floor(now.getTime() / DAY) - Number(m[2]);
  if (age < 0 || age > validDays) return { ok: false, status: 403, reason: "expired" };
  return { ok: true, address: m[1]! };
}

/** The addresses of an unsubscribe list (one per line; `#` starts a comment), lower-cased. */
export function parseUnsubscribed(text: string): Set<string> {
  return new Set(
    text
      .split(/\r?\n/)
      .map((l) => l.replace(/#.*/, "").trim().toLowerCase())
      .filter(Boolean),
  );
}

/** The list with `address` added (unchanged when it holds it already). */
export function withUnsubscribed(text: string, address: string): string {
  if (parseUnsubscribed(text).has(address.toLowerCase())) return text;
  const head = text === "" || text.endsWith("\n") ? text : `${text}\n`;
  return `${head}${address.toLowerCase()}\n`;
}
