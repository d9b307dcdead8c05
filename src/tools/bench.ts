/**
 * Benchmark: builds the full 2024 set (both languages, HTML + PDF, all figures) several times, each in a fresh
 * process (a cold start, as a user or a scheduler runs it), and prints the median of each stage, of the process and
 * of the wall time from spawn to exit, plus peak memory (Node's; Chromium runs in its own processes).
 *
 *   npm run bench [-- --runs 7]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 5;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const results: {
  wall: number;
  process: number;
  rss: number;
  stages: Record<string, number>;
  marks: Record<string, number>;
}[] = [];
for (let i = 0; i < runs + 1; i++) {
  const dir = mkdtempSync(join(tmpdir(), "bench-"));
  const t0 = performance.now();
  execFileSync(process.execPath, [join(root, "src/bin.js"), "build", "--out", dir, "--timings", join(dir, "t.json")], {
    cwd: root,
    stdio: "ignore",
  });
  const wall = performance.now() - t0;
  const t = JSON.parse(readFileSync(join(dir, "t.json"), "utf8"));
  rmSync(dir, { recursive: true, force: true });
  if (i === 0) continue; // the first run warms the disk cache only
  results.push({ wall, process: t.processMs, rss: t.maxRssMB, stages: t.stages, marks: t.marks ?? {} });
  process.stderr.write(`run ${i}: ${Math.round(wall)} ms\n`);
}
const stages = [
  "load",
  "validate",
  "indicators",
  "narrative",
  "charts",
  "html",
  "png",
  "pdf",
  "write",
  "publish",
  "total",
];
const cpu = cpus()[0]?.model ?? "?";
console.log(`migration-bulletin benchmark: full 2024 build (nl + en, HTML + PDF, 14 figures), ${runs} runs, medians`);
console.log(`machine: ${cpus().length} × ${cpu}, Node ${process.version}`);
for (const s of stages)
  console.log(`  ${s.padEnd(11)} ${String(Math.round(median(results.map((r) => r.stages[s] ?? 0)))).padStart(6)} ms`);
console.log(
  `  ${"process".padEnd(11)} ${String(Math.round(median(results.map((r) => r.process)))).padStart(6)} ms  (from Node start to the end of the build)`,
);
console.log(
  `  ${"wall".padEnd(11)} ${String(Math.round(median(results.map((r) => r.wall)))).padStart(6)} ms  (spawn to exit, cold process)`,
);
console.log(
  `  ${"peak RSS".padEnd(11)} ${String(Math.round(median(results.map((r) => r.rss)))).padStart(6)} MB  (Node process)`,
);
console.log("timeline (ms since the process started, medians): the critical path");
const markNames = Object.keys(results[0]?.marks ?? {});
console.log(
  `  ${markNames
    .map((m) => [m, median(results.map((r) => r.marks[m] ?? 0))] as const)
    .sort((a, b) => a[1] - b[1])
    .map(([m, v]) => `${m} ${Math.round(v)}`)
    .join(" · ")}`,
);
console.log("stages overlap: Chromium starts at the beginning; PNGs are drawn while the PDFs print (png ⊂ pdf)");
