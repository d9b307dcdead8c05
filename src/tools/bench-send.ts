/**
 * Benchmark of the mailing (`npm run bench -- send [--count 20000] [--runs 3] [--attach link|pdf]`): `bulletin send`
 * in a fresh process mails COUNT subscribers (a CSV list) the built 2024 edition through a real SMTP server on
 * loopback (smtp-server, counting what it receives); the floor, interleaved with it in the same run, is the same server
 * receiving COUNT copies of one message composed beforehand over the same pooled connections, with nothing else done
 * (bench-send-floor.ts). Prints messages per second of each (medians), their ratio, and the peak RSS of both processes
 * (read from /proc while they run). Needs the edition built (`npm run setup` builds it).
 *
 * `--kill`: instead, one send is killed (SIGKILL) when the server has half the messages and is run again; prints how
 * many recipients got exactly one message, how many none, and how many two: a message the server accepted in the
 * instant before the kill, before the ledger recorded it, goes again (with the same Message-ID, which receiving
 * servers use to drop the repeat). SMTP cannot do better: the server's "250 OK" and the ledger's write are two
 * events.
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SMTPServer } from "smtp-server";
import { median } from "./median.ts";

const root = resolve(import.meta.dirname, "../..");
const arg = (name: string, fallback: string) =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1]! : fallback;
const COUNT = Number(arg("--count", "20000"));
const runs = Number(arg("--runs", "3"));
const attach = arg("--attach", "link");
if (!existsSync(join(root, "output/2024/en/summary.json"))) {
  process.stderr.write("bench send: no built edition in output/2024: run `npm run setup` (or `npx bulletin build`)\n");
  process.exit(1);
}

// the server: accepts everything, keeps nothing but the count
let received = 0;
const perAddress = new Map<string, number>();
let onReceived: (n: number) => void = () => {};
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  size: 50 * 1024 * 1024,
  onData(stream, session, cb) {
    stream.on("data", () => {});
    stream.on("end", () => {
      received++;
      for (const r of session.envelope.rcptTo) perAddress.set(r.address, (perAddress.get(r.address) ?? 0) + 1);
      cb();
      onReceived(received);
    });
  },
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const port = (server.server.address() as { port: number }).port;
const SMTP_URL = `smtp://127.0.0.1:${port}`;

// the project: config.yml with the subscriber list as a CSV file of COUNT rows
const dir = mkdtempSync(join(tmpdir(), "bench-send-"));
const rows = ["address,lang,name"];
for (let i = 0; i < COUNT; i++) rows.push(`reader${i}@example.org,${i % 3 === 0 ? "en" : "nl"},Reader ${i}`);
writeFileSync(join(dir, "subscribers.csv"), `${rows.join("\n")}\n`);
const config = join(dir, "config.yml");
writeFileSync(
  config,
  readFileSync(join(root, "config.yml"), "utf8")
    .replace("  dir: data", `  dir: ${dir}`)
    .replace(
      / {2}subscribers:\n( {4}- .*\n)+/,
      `  subscribers: []\n  subscribersFile: subscribers.csv\n  attach: ${attach}\n`,
    ),
);

/** A process run to its end: wall time, peak RSS (KB) from /proc, exit code and its last line. */
function run(args: string[], env: NodeJS.ProcessEnv, killAt?: number) {
  return new Promise<{ ms: number; peakKb: number; code: number | null; last: string }>((done) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: dir, env: { ...process.env, ...env }, stdio: "pipe" });
    if (killAt)
      onReceived = (n) => {
        if (n >= killAt) {
          child.kill("SIGKILL");
          onReceived = () => {};
        }
      };
    let peakKb = 0;
    let err = "";
    child.stderr.on("data", (d) => {
      err = (err + d).slice(-2000);
    });
    child.stdout.on("data", () => {});
    const poll = setInterval(() => {
      try {
        const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1]);
        if (kb > peakKb) peakKb = kb;
      } catch {}
    }, 50);
    child.on("exit", (code) => {
      clearInterval(poll);
      done({ ms: performance.now() - t0, peakKb, code, last: err.trim().split("\n").slice(-1)[0] ?? "" });
    });
  });
}

if (process.argv.includes("--kill")) {
  const out = join(dir, "out-kill");
  cpSync(join(root, "output/2024"), join(out, "2024"), { recursive: true, filter: (p) => !p.includes("outbox") });
  rmSync(join(out, "2024", "send-ledger.jsonl"), { force: true });
  const args = [join(root, "src/bin.js"), "send", "--config", config, "--out", out];
  const first = await run(args, { SMTP_URL }, Math.floor(COUNT / 2));
  const atKill = received;
  const second = await run(args, { SMTP_URL });
  server.close();
  const counts = [...perAddress.values()];
  const once = counts.filter((c) => c === 1).length;
  const twice = counts.filter((c) => c > 1).length;
  const none = COUNT - perAddress.size;
  const ledger = readFileSync(join(out, "2024", "send-ledger.jsonl"), "utf8")
    .trim()
    .split("\n").length;
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `send of ${COUNT} messages killed (SIGKILL, exit ${first.code ?? "by signal"}) at ${atKill} received, then run again (exit ${second.code}):`,
  );
  console.log(
    `  exactly once ${once}, none ${none}, more than once ${twice}; ledger ${ledger} lines; second run: ${second.last}`,
  );
  process.exit(none === 0 && second.code === 0 ? 0 : 1);
}

const send = { ms: [] as number[], kb: [] as number[] };
const floor = { ms: [] as number[], kb: [] as number[] };
const tsx = join(root, "node_modules/tsx/dist/cli.mjs");
for (let i = 0; i < runs; i++) {
  // A: the command, with a fresh output folder (so its ledger is empty)
  const out = join(dir, `out-${i}`);
  cpSync(join(root, "output/2024"), join(out, "2024"), { recursive: true, filter: (p) => !p.includes("outbox") });
  rmSync(join(out, "2024", "send-ledger.jsonl"), { force: true });
  received = 0;
  const a = await run([join(root, "src/bin.js"), "send", "--config", config, "--out", out], { SMTP_URL });
  if (a.code !== 0 || received !== COUNT) {
    process.stderr.write(`bench send: the send failed (exit ${a.code}, ${received} of ${COUNT} received): ${a.last}\n`);
    process.exit(1);
  }
  send.ms.push(a.ms);
  send.kb.push(a.peakKb);
  // B: the floor
  received = 0;
  const b = await run([tsx, join(root, "src/tools/bench-send-floor.ts"), config, join(out, "2024"), String(COUNT)], {
    SMTP_URL,
  });
  if (b.code !== 0 || received !== COUNT) {
    process.stderr.write(`bench send: the floor failed (exit ${b.code}, ${received} of ${COUNT}): ${b.last}\n`);
    process.exit(1);
  }
  floor.ms.push(b.ms);
  floor.kb.push(b.peakKb);
  rmSync(out, { recursive: true, force: true });
}
server.close();
rmSync(dir, { recursive: true, force: true });
const rate = (ms: number) => Math.round(COUNT / (ms / 1000));
const ms = median(send.ms);
const fl = median(floor.ms);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, Node ${process.version}`);
console.log(`send of ${COUNT} messages (attach: ${attach}), ${runs} runs interleaved with the floor, fresh processes:`);
console.log(
  `  bulletin send   ${rate(ms)} messages/s (median ${Math.round(ms)} ms), peak RSS ${Math.round(median(send.kb) / 1024)} MB`,
);
console.log(
  `  floor           ${rate(fl)} messages/s (median ${Math.round(fl)} ms), peak RSS ${Math.round(median(floor.kb) / 1024)} MB`,
);
console.log(`  ratio           ${(fl / ms).toFixed(2)} of the floor's rate`);
