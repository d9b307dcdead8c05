import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dkimVerify } from "mailauth/lib/dkim/verify.js";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { build } from "../src/commands/build.ts";
import { send } from "../src/commands/send.ts";
import { unsubscribeServe } from "../src/commands/unsubscribe.ts";
import { checkToken, unsubscribeToken } from "../src/email/unsubscribe.ts";
import { configPath, indicatorsOf, overlayEffects, root } from "./helpers.ts";
import { copyOfRound } from "./shared-round.ts";

/** A real SMTP server on loopback, with switches to fail transiently, reject an address, or stop a sender. */
class TestServer {
  received: ParsedMail[] = [];
  raw: Buffer[] = [];
  failFirst = new Map<string, number>();
  reject = new Set<string>();
  onMessage?: (n: number) => boolean;
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"], // the test server only: smtp-server's bundled certificate has expired
    logger: false,
    onRcptTo: (addr, _s, cb) => {
      if (this.reject.has(addr.address))
        return cb(Object.assign(new Error("5.1.1 mailbox unavailable"), { responseCode: 550 }));
      cb();
    },
    onData: (stream, session, cb) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", async () => {
        const to = session.envelope.rcptTo[0]?.address ?? "";
        const left = this.failFirst.get(to) ?? 0;
        if (left > 0) {
          this.failFirst.set(to, left - 1);
          return cb(Object.assign(new Error("4.3.0 try again later"), { responseCode: 451 }));
        }
        if (this.onMessage && !this.onMessage(this.raw.length + 1)) return; // the sender is being stopped: never answer
        const raw = Buffer.concat(chunks);
        this.raw.push(raw);
        this.received.push(await simpleParser(raw, { keepCidLinks: true }));
        cb();
      });
    },
  });
  port = 0;
  async start() {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }
  get url() {
    return `smtp://127.0.0.1:${this.port}`;
  }
  count(address: string) {
    return this.received.filter((m) => (m.to as { value: { address: string }[] }).value[0]?.address === address).length;
  }
  close() {
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}

const SUBSCRIBERS = [
  "an.peeters@example.org",
  "jan.janssens@example.net",
  "sofie.maes@example.com",
  "john.smith@example.org",
  "marie.dubois@example.net",
];
const cfg = readFileSync(configPath, "utf8").replace(
  "  subscribers:",
  "  concurrency: 1\n  retryDelayMs: 10\n  subscribers:",
);
let built: string;
beforeAll(async () => {
  built = await copyOfRound("bulletin-mail-"); // the region's edition, built by the CLI (test/shared-round.ts)
  await build({ configPath, outDir: built, areas: ["73028"] }, overlayEffects());
});
/** A fresh output folder with the built edition (so each test has its own ledger). */
function edition(): string {
  const dir = mkdtempSync(join(tmpdir(), "bulletin-send-"));
  for (const lang of ["en", "nl"])
    for (const f of ["bulletin.pdf", "summary.json", "charts/headline.png"])
      for (const sub of ["", "municipalities/73028"])
        if (existsSync(join(built, "2024", sub, lang, f)))
          overlay[join(dir, "2024", sub, lang, f)] = readFileSync(join(built, "2024", sub, lang, f));
  return dir;
}
let overlay: Record<string, Buffer | string> = {};
/** A project folder of its own for a `send` run as a process: config.yml, data/ and the built edition in out/. */
function sendProject(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(built, "2024"), join(dir, "out", "2024"), { recursive: true });
  writeFileSync(join(dir, "config.yml"), cfg);
  cpSync(join(root, "data"), join(dir, "data"), { recursive: true });
  return dir;
}
const fx = (env: NodeJS.ProcessEnv = {}) => overlayEffects({ ...overlay, "mail.yml": cfg }, { env });
let server: TestServer;
afterEach(async () => {
  await server?.close();
  overlay = {};
});

describe("bulletin send against a real SMTP server on loopback", () => {
  it("one message per subscriber in their language, PDF attached byte-identical; a second run sends nothing", async () => {
    server = await new TestServer().start();
    const out = edition();
    const r = await send({ configPath: "mail.yml", outDir: out }, fx({ SMTP_URL: server.url }));
    expect(r.failed, JSON.stringify(r.failed)).toEqual([]);
    expect(r.sent.sort()).toEqual([...SUBSCRIBERS].sort());
    expect(server.received).toHaveLength(5);
    const nl = server.received.find((m) => m.subject?.startsWith("Internationale migratie"))!;
    const en = server.received.find((m) => m.subject?.startsWith("International migration"))!;
    expect(nl.subject).toBe("Internationale migratie 2024: Bijna 94.400 internationale immigraties in 2024");
    expect(en.subject).toBe("International migration 2024: Nearly 94,400 international immigrations in 2024");
    expect(nl.headers.get("content-language")).toBe("nl");
    expect(nl.text).toContain("Saldo: ongeveer 33.000");
    expect(en.text).toContain("Immigration: nearly 94,400");
    expect(en.html).toContain('src="cid:headline-chart"');
    const rawEn = server.raw.map((b) => b.toString("utf8")).find((t) => t.includes("To: John Smith"))!;
    expect(rawEn).toMatch(
      /List-Unsubscribe:\s+<mailto:unsubscribe@example.org\?subject=unsubscribe%20john.smith%40example.org>/,
    );
    const pdf = en.attachments.find((a) => a.contentType === "application/pdf")!;
    expect(pdf.content.equals(readFileSync(join(built, "2024", "en", "bulletin.pdf")))).toBe(true);
    const img = en.attachments.find((a) => a.contentType === "image/png")!;
    expect(img.cid).toBe("headline-chart");
    expect(img.content.equals(readFileSync(join(built, "2024", "en", "charts", "headline.png")))).toBe(true);
    expect(new Set(server.received.map((m) => m.messageId)).size).toBe(5);

    const again = await send({ configPath: "mail.yml", outDir: out }, fx({ SMTP_URL: server.url }));
    expect(again.sent).toEqual([]);
    expect(again.skipped).toHaveLength(5);
    expect(server.received).toHaveLength(5);
  });

  it("a server that fails transiently, then accepts: one delivery each", async () => {
    server = await new TestServer().start();
    for (const a of SUBSCRIBERS) server.failFirst.set(a, 2);
    const r = await send(
      { configPath: "mail.yml", outDir: edition(), sleep: async () => {} },
      fx({ SMTP_URL: server.url }),
    );
    expect(r.sent).toHaveLength(5);
    for (const a of SUBSCRIBERS) expect(server.count(a)).toBe(1);
  });

  it("a permanent rejection is reported; the others are still delivered", async () => {
    server = await new TestServer().start();
    server.reject.add("jan.janssens@example.net");
    const r = await send({ configPath: "mail.yml", outDir: edition() }, fx({ SMTP_URL: server.url }));
    expect(r.failed).toEqual([expect.objectContaining({ address: "jan.janssens@example.net", permanent: true })]);
    expect(r.failed[0]?.error).toContain("mailbox unavailable");
    expect(r.sent).toHaveLength(4);
    expect(server.received).toHaveLength(4);
  });

  it("a run killed halfway and run again: every subscriber exactly once", async () => {
    server = await new TestServer().start();
    const dir = sendProject("bulletin-crash-");
    const run = () =>
      spawn(process.execPath, [join(root, "src/bin.js"), "send", "--out", join(dir, "out")], {
        cwd: dir,
        env: { ...process.env, SMTP_URL: server.url },
        stdio: "pipe",
      });
    // first run: killed (SIGKILL, no clean-up) while the server holds the third message
    const first = run();
    const killed = new Promise<void>((resolve) => first.on("exit", () => resolve()));
    server.onMessage = (n) => {
      if (n === 3) {
        first.kill("SIGKILL");
        return false;
      }
      return true;
    };
    await killed;
    expect(server.received).toHaveLength(2);
    server.onMessage = undefined;
    const second = run();
    let stderr = "";
    second.stderr.on("data", (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => second.on("exit", resolve));
    expect(code, stderr).toBe(0);
    expect(stderr).toContain("sent 3, skipped 2 (already sent), failed 0");
    for (const a of SUBSCRIBERS) expect(server.count(a)).toBe(1);
    const ledger = readFileSync(join(dir, "out", "2024", "send-ledger.jsonl"), "utf8")
      .trim()
      .split("\n");
    expect(ledger).toHaveLength(5);
  });

  it("two sends started together: one holds the ledger, the other waits (--wait) or stops at once; each subscriber once", async () => {
    server = await new TestServer().start();
    const dir = sendProject("bulletin-twice-");
    const run = (extra: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const p = spawn(process.execPath, [join(root, "src/bin.js"), "send", "--out", join(dir, "out"), ...extra], {
          cwd: dir,
          env: { ...process.env, SMTP_URL: server.url },
          stdio: "pipe",
        });
        let stderr = "";
        p.stderr.on("data", (d) => {
          stderr += d;
        });
        p.on("exit", (code) => resolve({ code, stderr }));
      });
    // a timer and a person at the same moment, both willing to wait
    const both = await Promise.all([run(["--wait"]), run(["--wait"])]);
    for (const r of both) expect(r.code, r.stderr).toBe(0);
    const lines = both.map((r) => /sent (\d+), skipped (\d+)/.exec(r.stderr)!.slice(1).map(Number));
    expect(lines.map(([sent]) => sent).sort()).toEqual([0, 5]);
    for (const a of SUBSCRIBERS) expect(server.count(a), a).toBe(1);
    // a send while another holds the round's ledger, without --wait: stops at once, mails nobody
    const { takeLock } = await import("../src/core/lock.ts");
    const ledger = join(dir, "out", "2024", "send-ledger.jsonl");
    const release = await takeLock({ path: ledger, wait: false, holder: "this test", hint: "" });
    try {
      const r = await run([]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`another \`bulletin send\` of 2024 is running (it holds the lock on ${ledger})`);
      expect(r.stderr).toContain("add --wait");
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    } finally {
      release();
    }
    expect(server.received).toHaveLength(5);
  }, 120_000);

  it("addresses are checked before anything is sent, with the line", async () => {
    server = await new TestServer().start();
    const bad = cfg.replace("jan.janssens@example.net", "jan.janssens@example");
    const line = bad.split("\n").findIndex((l) => l.includes("jan.janssens@example")) + 1;
    await expect(
      send(
        { configPath: "bad.yml", outDir: edition() },
        overlayEffects({ ...overlay, "bad.yml": bad }, { env: { SMTP_URL: server.url } }),
      ),
    ).rejects.toMatchObject({
      problems: [expect.objectContaining({ file: "bad.yml", line, rule: "invalid-value" })],
    });
    expect(server.received).toHaveLength(0);
  });

  it("a subscriber who names an area receives that area's edition (send --area), in their language", async () => {
    server = await new TestServer().start();
    const out = edition();
    const withArea = cfg.replace(
      "    - { address: an.peeters@example.org, lang: nl, name: An Peeters }",
      '    - { address: an.peeters@example.org, lang: nl, name: An Peeters, area: "73028" }',
    );
    const f = overlayEffects({ ...overlay, "area.yml": withArea }, { env: { SMTP_URL: server.url } });
    const r = await send({ configPath: "area.yml", outDir: out, areas: ["73028"] }, f);
    expect(r.sent).toEqual(["an.peeters@example.org"]);
    const herstappe = server.received[0]!;
    expect(herstappe.subject).toMatch(/^Internationale migratie 2024 — Herstappe: /); // the area names the mailing
    // a municipal edition has no PNG copies by default: the message carries its PDF and no broken image
    expect(herstappe.attachments.map((a) => a.contentType)).toEqual(["application/pdf"]);
    expect(herstappe.html).not.toContain("cid:headline-chart");
    // her link is her municipality's web edition when config.yml gives one (mail.areaWebUrl), never the region's
    expect(herstappe.text).not.toContain("international-migration/2024/");
    const linked = overlayEffects(
      {
        ...overlay,
        "area.yml": withArea.replace(
          "  subscribers:",
          "  areaWebUrl: https://example.org/{lang}/gemeente/{area}/{year}/\n  subscribers:",
        ),
      },
      { env: { SMTP_URL: server.url } },
    );
    await send({ configPath: "area.yml", outDir: out, areas: ["73028"], to: "check@example.org" }, linked);
    expect(server.received.at(-1)!.text).toMatch(/https:\/\/example\.org\/(nl|en)\/gemeente\/73028\/2024\//);
    // the region's mailing leaves her out: she has her municipality's edition
    const all = await send({ configPath: "area.yml", outDir: out }, f);
    expect(all.sent).not.toContain("an.peeters@example.org");
    expect(all.sent).toHaveLength(4);
  });

  it("a round its audit finds unsafe is not mailed, even after an audit of the same folder passed", async () => {
    server = await new TestServer().start();
    const out = await copyOfRound("bulletin-unsafe-");
    const first = await send({ configPath: "mail.yml", outDir: out, dryRun: true }, fx({ SMTP_URL: server.url }));
    expect(first.dryRunFiles).toHaveLength(5); // the audit passed (and its pass is kept in the machine's cache)
    // one hidden count put back into the published file, as a careless hand would
    const file = join(out, "2024", "indicators.json");
    const published = JSON.parse(readFileSync(file, "utf8"));
    const row = published.municipalities.rows.find((r: { immigration: number | null }) => r.immigration === null);
    const raw = await indicatorsOf(2024);
    row.immigration = raw.municipalities.rows.find((r) => r.nis === row.nis)!.immigration;
    writeFileSync(file, JSON.stringify(published));
    await expect(send({ configPath: "mail.yml", outDir: out }, fx({ SMTP_URL: server.url }))).rejects.toThrow(
      /is not safe to publish, so nothing was sent: \d+ count\(s\) of 1–4 published or worked out/,
    );
    expect(server.received).toHaveLength(0);
  });

  it("--dry-run writes .eml files and sends nothing; the password never appears in the output", async () => {
    server = await new TestServer().start();
    const out = edition();
    const logs = overlayEffects(
      { ...overlay, "mail.yml": cfg },
      { env: { SMTP_URL: server.url.replace("smtp://", "smtp://bulletin:s3cret-pw@") } },
    );
    const r = await send({ configPath: "mail.yml", outDir: out, dryRun: true }, logs);
    expect(r.dryRunFiles).toHaveLength(5);
    expect(server.received).toHaveLength(0);
    const t = await send(
      {
        configPath: "mail.yml",
        outDir: out,
        to: "tester@example.org",
        langs: ["nl"],
      },
      logs,
    );
    expect(t.sent).toEqual(["tester@example.org"]);
    expect(logs.logs.join("\n")).not.toContain("s3cret-pw");
    expect(logs.logs.join("\n")).toContain("bulletin:***@127.0.0.1");
  });

  it("one-click unsubscribe (RFC 8058) and DKIM: signatures verify, a POST to a message's link unsubscribes, the next send skips the address; a forged token changes nothing", async () => {
    server = await new TestServer().start();
    const dir = sendProject("bulletin-bulk-");
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const keyFile = join(dir, "dkim.pem");
    writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));
    const configFile = join(dir, "config.yml");
    writeFileSync(
      configFile,
      cfg
        .replace(/^ {2}dir: data$/m, `  dir: ${join(dir, "data")}`)
        .replace(
          "  subscribers:",
          "  unsubscribe:\n    url: https://www.example.org/unsubscribe?token={token}\n  dkim: { domain: example.org, selector: bulletin }\n  subscribers:",
        ),
    );
    const env = {
      SMTP_URL: server.url,
      DKIM_PRIVATE_KEY_FILE: keyFile,
      BULLETIN_UNSUBSCRIBE_SECRET: "s3cret-of-the-office",
    };
    const r = await send({ configPath: configFile, outDir: join(dir, "out") }, overlayEffects({}, { env }));
    expect(r.sent).toHaveLength(5);

    // DKIM: every message passes against the published key; a changed subject does not
    const pub = publicKey.export({ type: "spki", format: "der" }).toString("base64");
    const resolver = async (name: string, rr: string) => {
      if (name === "bulletin._domainkey.example.org" && rr === "TXT") return [[`v=DKIM1; k=rsa; p=${pub}`]];
      throw Object.assign(new Error(`${name}: no such record`), { code: "ENOTFOUND" });
    };
    for (const raw of server.raw)
      expect((await dkimVerify(raw, { resolver })).results.map((x) => x.status.result)).toEqual(["pass"]);
    const rawEn = server.raw.map((b) => b.toString("utf8")).find((t) => t.includes("To: John Smith"))!;
    const forgedMail = Buffer.from(rawEn.replace("Nearly 94,400", "Almost 95,000"));
    expect(rawEn).not.toEqual(forgedMail.toString("utf8"));
    expect((await dkimVerify(forgedMail, { resolver })).results[0]!.status.result).not.toBe("pass");

    // both headers of RFC 8058, the https: link first, and the same link in the footer
    const head = rawEn.slice(0, rawEn.search(/\r?\n\r?\n/)).replace(/\r?\n[ \t]+/g, " ");
    const link = /^List-Unsubscribe: <(https:\/\/www\.example\.org\/unsubscribe\?token=[^>]+)>, <mailto:/m.exec(
      head,
    )?.[1];
    expect(link, head).toBeTruthy();
    expect(head).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    const john = server.received.find(
      (m) => m.subject?.startsWith("International migration") && rawEn.includes(m.messageId!),
    )!;
    expect(john.text).toContain(`Unsubscribe: ${link}`);

    // the endpoint: a forged or malformed token records nothing; GET asks, POST unsubscribes
    const ep = await unsubscribeServe({ configPath: configFile, port: 0 }, overlayEffects({}, { env }));
    const at = (t: string) => `${ep.url}unsubscribe?token=${encodeURIComponent(t)}`;
    const token = new URL(link!).searchParams.get("token")!;
    const post = (u: string) =>
      fetch(u, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "List-Unsubscribe=One-Click",
      });
    const list = join(dir, "data", "unsubscribed.txt");
    try {
      const forged = unsubscribeToken("not-the-secret", "john.smith@example.org", new Date());
      expect((await post(at(forged))).status).toBe(403);
      expect((await post(at("garbage"))).status).toBe(400);
      const get = await fetch(at(token));
      expect(get.status).toBe(200);
      expect(await get.text()).toContain('<form method="post">');
      expect(existsSync(list)).toBe(false);
      expect((await post(at(token))).status).toBe(200);
      expect(readFileSync(list, "utf8")).toBe("john.smith@example.org\n");
    } finally {
      await ep.close();
    }

    // the next mailing (a new round's folder) skips the address
    cpSync(join(built, "2024"), join(dir, "out2", "2024"), { recursive: true });
    const fx2 = overlayEffects({}, { env });
    const next = await send({ configPath: configFile, outDir: join(dir, "out2") }, fx2);
    expect(next.sent.sort()).toEqual(SUBSCRIBERS.filter((a) => a !== "john.smith@example.org").sort());
    expect(fx2.logs.join("\n")).toContain("1 subscriber(s) skipped: on the unsubscribe list");
  });

  it("an unsubscribe token is refused once it is older than validDays, and names its address", () => {
    const issued = new Date("2026-01-10T12:00:00Z");
    const t = unsubscribeToken("k", "An.Peeters@example.org", issued);
    expect(checkToken("k", t, new Date("2026-06-01T00:00:00Z"), 400)).toEqual({
      ok: true,
      address: "an.peeters@example.org",
    });
    expect(checkToken("k", t, new Date("2027-02-20T00:00:00Z"), 400)).toMatchObject({
      ok: false,
      status: 403,
      reason: "expired",
    });
    expect(checkToken("other", t, issued, 400)).toMatchObject({ ok: false, reason: "forged" });
  });
});
