/**
 * `bulletin unsubscribe add ADDRESS` and `bulletin unsubscribe serve`: the unsubscribe list `send` honours
 * (`mail.unsubscribe.list`, one address per line), kept by hand for requests by mail, or by a small HTTP endpoint for
 * the one-click links of RFC 8058 (loopback by default, behind the office's reverse proxy). The endpoint answers
 * `POST …?token=…` (what a mail client sends, body `List-Unsubscribe=One-Click`) by recording the address, and
 * `GET …?token=…` (a person following the link in the footer) with a page whose button makes that POST: a link
 * scanner that fetches every URL of a message unsubscribes no one. A malformed token is a 400, a forged or expired
 * one a 403; neither records anything.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { loadConfig } from "../config/read-config.ts";
import type { Config } from "../config/schema.ts";
import type { Effects } from "../effects.ts";
import { checkToken, parseUnsubscribed, SECRET_ENV, withUnsubscribed } from "../email/unsubscribe.ts";
import { UsageError } from "../errors/problem.ts";
import { writeAtomic } from "../publish/publish.ts";
import { untilStopped } from "./report.ts";

export const unsubscribeList = (config: Config) =>
  join(config.data.dir, config.mail?.unsubscribe?.list ?? "unsubscribed.txt");

/** The addresses of the unsubscribe list (none when it does not exist yet). */
export async function readUnsubscribed(config: Config, fx: Pick<Effects, "readFile" | "exists">) {
  const file = unsubscribeList(config);
  return (await fx.exists(file)) ? parseUnsubscribed((await fx.readFile(file)).toString("utf8")) : new Set<string>();
}

/** Adds `address` to the list `file` (atomically); false when it was on it already. */
async function addTo(file: string, address: string, fx: Effects): Promise<boolean> {
  const text = (await fx.exists(file)) ? (await fx.readFile(file)).toString("utf8") : "";
  const next = withUnsubscribed(text, address);
  if (next === text) return false;
  await writeAtomic(fx, file, next);
  return true;
}

/** `unsubscribe add`: the address put on the list of config.yml; whether it was added, and the list's path. */
export async function unsubscribeAdd(
  req: { configPath: string; address: string },
  fx: Effects,
): Promise<{ added: boolean; list: string }> {
  const config = await loadConfig(req.configPath, fx);
  const address = req.address.trim();
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address))
    throw new UsageError(`${req.address}: not an e-mail address (e.g. jan.janssens@example.org)`);
  const list = unsubscribeList(config);
  return { added: await addTo(list, address, fx), list };
}

const PAGE = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head><body style="font-family:system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em;line-height:1.5"><h1 style="font-size:1.4em">${title}</h1>${body}</body></html>`;

export interface UnsubscribeServer {
  url: string;
  close(): Promise<void>;
}

/** The one-click endpoint (see the top of this file). */
export async function unsubscribeServe(
  req: { configPath: string; port?: number; host?: string },
  fx: Effects,
): Promise<UnsubscribeServer> {
  const config = await loadConfig(req.configPath, fx);
  const unsub = config.mail?.unsubscribe;
  if (!unsub) throw new UsageError("mail.unsubscribe is not set in config.yml: there are no one-click links to answer");
  const secret = fx.secret(SECRET_ENV);
  if (!secret)
    throw new UsageError(`${SECRET_ENV} is not set: it must be the secret the links of \`send\` were signed with`);
  // one write at a time: two clicks together must both be kept
  const list = unsubscribeList(config);
  let chain: Promise<unknown> = Promise.resolve();
  const record = (address: string) => {
    const next = chain.then(() => addTo(list, address, fx));
    chain = next.catch(() => {});
    return next;
  };
  const answer = (res: ServerResponse, status: number, title: string, body: string) => {
    res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(PAGE(title, body));
  };
  const handle = async (rq: IncomingMessage, res: ServerResponse) => {
    const url = new URL(rq.url ?? "/", "http://localhost");
    const token = url.searchParams.get("token") ?? "";
    const check = checkToken(secret, token, fx.now(), unsub.validDays);
    if (!check.ok) {
      fx.log(`unsubscribe: ${check.reason} token refused (${rq.method})`);
      return answer(res, check.status, "Link not valid / Link niet geldig", `<p>${check.reason}</p>`);
    }
    if (rq.method === "POST") {
      for await (const _ of rq); // the body (List-Unsubscribe=One-Click) says nothing the token does not
      const added = await record(check.address);
      fx.log(`unsubscribe: ${check.address}${added ? "" : " (already on the list)"}`);
      return answer(
        res,
        200,
        "Unsubscribed / Uitgeschreven",
        "<p>You will receive no more e-mails of this bulletin. / U ontvangt geen e-mails van dit bulletin meer.</p>",
      );
    }
    if (rq.method === "GET" || rq.method === "HEAD")
      return answer(
        res,
        200,
        "Unsubscribe? / Uitschrijven?",
        `<form method="post"><button type="submit" style="font-size:1.1em;padding:.5em 1em">Unsubscribe / Uitschrijven</button></form>`,
      );
    res.writeHead(405, { allow: "GET, POST" }).end();
  };
  const server = createServer((rq, res) => {
    handle(rq, res).catch((e: Error) => {
      fx.warn(`unsubscribe: ${e.message}`);
      if (!res.headersSent)
        answer(res, 500, "Error / Fout", "<p>Please try again later. / Probeer het later opnieuw.</p>");
    });
  });
  const port = req.port ?? 4180;
  const host = req.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new UsageError(
          e.code === "EADDRINUSE"
            ? `port ${port} on ${host} is in use: give another with --port`
            : `cannot listen on ${host}:${port} (${e.code ?? e.message})`,
        ),
      ),
    );
    server.listen(port, host, resolve);
  });
  const a = server.address() as AddressInfo;
  return {
    url: `http://${a.address}:${a.port}/`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** `bulletin unsubscribe add ADDRESS` as the command line runs it. */
export async function runUnsubscribeAdd(address: string, o: { config: string }, fx: Effects) {
  const { added, list } = await unsubscribeAdd({ configPath: o.config, address }, fx);
  process.stderr.write(`${address}: ${added ? "added to" : "already on"} the unsubscribe list ${list}\n`);
}

/** `bulletin unsubscribe serve` as the command line runs it: the endpoint until Ctrl+C. */
export async function runUnsubscribeServe(o: { config: string; port: number; host: string }, fx: Effects) {
  const s = await unsubscribeServe({ configPath: o.config, port: o.port, host: o.host }, fx);
  process.stderr.write(`unsubscribe endpoint at ${s.url} (Ctrl+C to stop)\n`);
  await untilStopped();
  await s.close();
}
