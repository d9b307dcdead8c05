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

/**
 * Peak RSS of a process and of its descendants (the browser), polled from /proc; and, sampled every second, their
 * CPU time and RSS, to show which side slows down when a run does.
 */
function watchRss(pid: number) {
  let node = 0;
  let browser = 0;
  const samples: { t: number; nodeCpu: number; browserCpu: number; nodeRss: number; browserRss: number }[] = [];
  const tick = 1 / 100;
  const cpu = (p: number) => {
    try {
      // utime and stime (fields 14 and 15) in clock ticks (1/100 s on Linux)
      const f = readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]!.split(" ");
      return (Number(f[11]) + Number(f[12])) * tick;
    } catch {
      return 0;
    }
  };
  let n = 0;
  const seen = new Map<number, number>();
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
    const b = all.reduce((s, c) => s + rss(c), 0);
    browser = Math.max(browser, b);
    if (n++ % 10 === 0) {
      const nodeRss = rss(pid);
      if (!nodeRss) return; // the process has ended
      // a browser replaced during the run starts from zero: each process's last reading counts
      for (const c of all) seen.set(c, cpu(c));
      const browserCpu = [...seen.values()].reduce((s, v) => s + v, 0);
      samples.push({ t: performance.now(), nodeCpu: cpu(pid), browserCpu, nodeRss, browserRss: b });
    }
  }, 100);
  return { stop: () => clearInterval(t), peak: () => ({ node, browser }), samples };
}

const t0 = performance.now();
const child = spawn(join(root, "src/bin.js"), ["build", "--area", areaArg, "--out", out], {
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
const stamps = htmls.map((h) => statSync(h.replace("bulletin.html", "bulletin.pdf")).mtimeMs).sort((a, b) => a - b);
// the rate in each quarter of the editions (a run that slows down as it goes shows it here)
const quarters = [0, 1, 2, 3].map((k) => {
  const a = stamps[Math.floor((k * (stamps.length - 1)) / 4)]!;
  const b = stamps[Math.floor(((k + 1) * (stamps.length - 1)) / 4)]!;
  return ((stamps.length - 1) / 4 / Math.max(1e-3, (b - a) / 1000)).toFixed(2);
});
const times = stamps
  .map((t, i, a) => (i ? t - a[i - 1]! : 0))
  .slice(1)
  .sort((a, b) => a - b);
// the floor: the same HTML printed by a warm browser with the same pool, nothing else to do
const printer = await launchPrinter({});
const pool = availableParallelism();
const floorRss = watchRss(process.pid);
const f0 = performance.now();
const floorStamps: number[] = [];
let next = 0;
let floorFailed = 0;
await Promise.all(
  Array.from({ length: pool }, async () => {
    while (next < htmls.length) {
      const html = readFileSync(htmls[next++]!, "utf8");
      const print = () =>
        printer.print(html, {
          lang: "en",
          info: { title: "floor", subject: "floor", keywords: "", author: "", creator: "" },
          header: "floor",
          footer: "Page {page} of {total}",
          date: new Date(0),
        } as never);
      // as the batch does: a print that fails (a browser replaced under it) is made once more
      await print().catch(() => {
        floorFailed++;
        return print();
      });
      floorStamps.push(performance.now());
    }
  }),
);
const floor = performance.now() - f0;
floorRss.stop();
await printer.close();
rmSync(out, { recursive: true, force: true });
const floorQuarters = [0, 1, 2, 3].map((k) => {
  const st = [f0, ...floorStamps];
  const a = st[Math.floor((k * (st.length - 1)) / 4)]!;
  const b = st[Math.floor(((k + 1) * (st.length - 1)) / 4)]!;
  return ((st.length - 1) / 4 / Math.max(1e-3, (b - a) / 1000)).toFixed(2);
});
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
console.log(`migration-bulletin municipal benchmark: ${htmls.length} editions (${areaArg}, nl + en, HTML + PDF)`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, Node ${process.version}; page pool ${pool}`);
console.log(
  `  whole run   ${Math.round(wall)} ms from spawn to exit = ${(htmls.length / (wall / 1000)).toFixed(2)} editions/s`,
);
console.log(`  by quarter  ${quarters.join(", ")} editions/s (first to last quarter of the PDFs)`);
// CPU seconds per wall second and RSS at the end of each quarter of the run's time: Node (its threads) and browser
const sm = rss.samples;
const cpuBy = [1, 2, 3, 4].map((k) => {
  const a = sm[Math.floor(((k - 1) * (sm.length - 1)) / 4)]!;
  const b = sm[Math.floor((k * (sm.length - 1)) / 4)]!;
  const dt = (b.t - a.t) / 1000;
  return `${((b.nodeCpu - a.nodeCpu) / dt).toFixed(2)}+${((b.browserCpu - a.browserCpu) / dt).toFixed(2)} (${Math.round(b.nodeRss)}+${Math.round(b.browserRss)} MB)`;
});
console.log(`  cores used  ${cpuBy.join(", ")}: Node+browser by quarter of the run's time (RSS at its end)`);
console.log(`  per edition median ${Math.round(q(0.5))} ms, p95 ${Math.round(q(0.95))} ms (between successive PDFs)`);
console.log(`  floor       ${Math.round(floor)} ms: the same HTML printed by a warm browser, same pool, nothing else`);
console.log(
  `  floor by quarter ${floorQuarters.join(", ")} editions/s${floorFailed ? `; ${floorFailed} prints made twice` : ""}`,
);
console.log(`  floor's browser peak RSS ${Math.round(floorRss.peak().browser)} MB`);
console.log(`  ratio       ${(wall / floor).toFixed(2)} × the printing floor (goal ≤ 1.15)`);
const p = rss.peak();
console.log(
  `  peak RSS    Node ${Math.round(p.node)} MB + browser ${Math.round(p.browser)} MB = ${Math.round(p.node + p.browser)} MB (each its own peak; goal: < 1,000 MB together)`,
);
