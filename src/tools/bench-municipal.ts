/**
 * Benchmark of the municipal batch (`npm run bench -- municipal [--area municipalities:70000]`): every municipal
 * edition of 2024 in both languages (HTML + PDF) from a cold start, in a fresh process; then, in the same run, the
 * floor: the same finished HTML files printed by one warm browser with the same pool of pages and nothing else to
 * do. Prints editions per second, the per-edition median and p95 (from the published PDFs' times), and the peak RSS
 * of Node and of the browser (read from /proc while they run).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { launchPrinter } from "../pdf/print-pdf.ts";

const root = resolve(import.meta.dirname, "../..");
const areaArg = process.argv.includes("--area") ? process.argv[process.argv.indexOf("--area") + 1]! : "municipalities";
const out = mkdtempSync(join(tmpdir(), "bench-municipal-"));

/** Peak RSS of a process and of its descendants (the browser), polled from /proc. */
function watchRss(pid: number) {
  let node = 0;
  let browser = 0;
  const children = (p: number): number[] => {
    try {
      return readFileSync(`/proc/${p}/task/${p}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const rss = (p: number) => {
    try {
      return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0) / 1024;
    } catch {
      return 0;
    }
  };
  const t = setInterval(() => {
    node = Math.max(node, rss(pid));
    const all: number[] = [];
    const walk = (p: number) => {
      for (const c of children(p)) {
        all.push(c);
        walk(c);
      }
    };
    walk(pid);
    browser = Math.max(
      browser,
      all.reduce((s, c) => s + rss(c), 0),
    );
  }, 100);
  return { stop: () => clearInterval(t), peak: () => ({ node, browser }) };
}

const t0 = performance.now();
const child = spawn(process.execPath, [join(root, "src/bin.js"), "build", "--area", areaArg, "--out", out], {
  cwd: root,
  stdio: ["ignore", "ignore", "inherit"],
});
const rss = watchRss(child.pid!);
const code = await new Promise<number | null>((r) => child.on("exit", r));
rss.stop();
const wall = performance.now() - t0;
if (code !== 0) throw new Error(`the batch exited with ${code}`);
const dir = join(out, "2024", "municipalities");
const htmls = readdirSync(dir)
  .filter((d) => /^\d{5}$/.test(d))
  .flatMap((d) => ["nl", "en"].map((l) => join(dir, d, l, "bulletin.html")));
// per-edition times: the PDFs' modification times, one after the other
const times = htmls
  .map((h) => statSync(h.replace("bulletin.html", "bulletin.pdf")).mtimeMs)
  .sort((a, b) => a - b)
  .map((t, i, a) => (i ? t - a[i - 1]! : 0))
  .slice(1)
  .sort((a, b) => a - b);
// the floor: the same HTML printed by a warm browser with the same pool, nothing else to do
const printer = await launchPrinter({});
const pool = availableParallelism();
const f0 = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: pool }, async () => {
    while (next < htmls.length) {
      const h = htmls[next++]!;
      await printer.print(readFileSync(h, "utf8"), {
        lang: "en",
        info: { title: "floor", subject: "floor", keywords: "", author: "", creator: "" },
        header: "floor",
        footer: "Page {page} of {total}",
        date: new Date(0),
      } as never);
    }
  }),
);
const floor = performance.now() - f0;
await printer.close();
rmSync(out, { recursive: true, force: true });
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
console.log(`migration-bulletin municipal benchmark: ${htmls.length} editions (${areaArg}, nl + en, HTML + PDF)`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, Node ${process.version}; page pool ${pool}`);
console.log(
  `  whole run   ${Math.round(wall)} ms from spawn to exit = ${(htmls.length / (wall / 1000)).toFixed(2)} editions/s`,
);
console.log(`  per edition median ${Math.round(q(0.5))} ms, p95 ${Math.round(q(0.95))} ms (between successive PDFs)`);
console.log(`  floor       ${Math.round(floor)} ms: the same HTML printed by a warm browser, same pool, nothing else`);
console.log(`  ratio       ${(wall / floor).toFixed(2)} × the printing floor (goal ≤ 1.25)`);
const p = rss.peak();
console.log(
  `  peak RSS    Node ${Math.round(p.node)} MB, browser ${Math.round(p.browser)} MB (goal: < 1.5 GB together)`,
);
