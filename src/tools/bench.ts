/**
 * Benchmark: builds the full 2024 set (both languages, HTML + PDF, all figures) several times, each in a fresh
 * process (a cold start, as a user or a scheduler runs it), and prints the median of each stage, of the process and
 * of the wall time from spawn to exit, plus peak memory (Node's; Chromium runs in its own processes).
 *
 *   npm run bench [-- --runs 7]
 *   npm run bench -- serve [--runs 5]   (the live preview: bench-serve.ts)
 *   npm run bench -- import [--runs 3]  (a full-size Statbel population file: bench-import.ts)
 *   npm run bench -- send [--count 20000] [--attach link|pdf]  (the mailing: bench-send.ts)
 *   npm run bench -- municipal          (600 municipal editions and their printing floor: bench-municipal.ts)
 *   npm run bench -- disclosure [--year 2024] [--runs 3]  (the round's pattern and audit: bench-disclosure.ts)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { chromiumArgs, chromiumCommand, reapedChildrenCpuMs } from "../pdf/chromium.ts";
import { chromiumPath } from "../pdf/print-pdf.ts";
import { median } from "./median.ts";

// `npm run bench -- serve`: the live preview's benchmark instead (bench-serve.ts)
if (process.argv.includes("serve")) {
  await import("./bench-serve.ts");
  process.exit(0);
}
// `npm run bench -- municipal`: every municipal edition, next to its printing floor (bench-municipal.ts)
if (process.argv.includes("municipal")) {
  await import("./bench-municipal.ts");
  process.exit(0);
}
// `npm run bench -- disclosure`: what the round's pattern hides, and how long it and the audit take (bench-disclosure.ts)
if (process.argv.includes("disclosure")) {
  await import("./bench-disclosure.ts");
  process.exit(0);
}
// `npm run bench -- send`: the mailing of 20,000 subscribers against a loopback SMTP server (bench-send.ts)
if (process.argv.includes("send")) {
  await import("./bench-send.ts");
  process.exit(0);
}
// `npm run bench -- import`: the Statbel population import of a full-size file (bench-import.ts)
if (process.argv.includes("import")) {
  await import("./bench-import.ts");
  process.exit(0);
}
const root = resolve(import.meta.dirname, "../..");
const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 5;
const results: {
  wall: number;
  process: number;
  rss: number;
  stages: Record<string, number>;
  marks: Record<string, number>;
  nodeCpu: number;
  childCpu: number;
}[] = [];
// The command runs the compiled dist/ only when it is newer than every source file (else tsx, ~1 s slower to start):
// compile first, so the benchmark measures what a user runs.
{
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newest(join(dir, e.name)) : e.name.endsWith(".ts") ? statSync(join(dir, e.name)).mtimeMs : 0,
      ),
    );
  const stamp = join(root, "dist/.compiled");
  if (!existsSync(stamp) || statSync(stamp).mtimeMs < newest(join(root, "src"))) {
    process.stderr.write("dist/ is older than src/: npm run compile\n");
    execFileSync("npm", ["run", "compile"], { cwd: root, stdio: "ignore" });
  }
}
// Chromium's own print of one finished bulletin (its command line, `--print-to-pdf`): the floor a cold build is
// measured against. It runs after each cold build, on the English edition that build wrote, so the two alternate and
// share the machine's state of the moment. Three times:
// - "pinned": the arguments a build gives Chromium (one process), on the CPU a build starts it on (pdf/chromium.ts pins
//   it to one on a small machine, and unpins it once the last edition's HTML is handed over);
// - "ours": the same arguments on every CPU: the fastest print of the three;
// - "plain": the command line as anyone would type it: Chromium's own defaults (its usual processes), headless, with
//   only what this machine needs (no sandbox as root, no GPU).
type PrintMode = "pinned" | "ours" | "plain";
const chromiumPrint = (html: string, mode: PrintMode) => {
  const profile = mkdtempSync(join(tmpdir(), "bench-profile-"));
  const t0 = performance.now();
  const extra = [`--user-data-dir=${profile}`, `--print-to-pdf=${join(profile, "out.pdf")}`, "--no-pdf-header-footer"];
  const [command, args] =
    mode === "pinned"
      ? chromiumCommand(chromiumPath(), [...extra, html])
      : mode === "ours"
        ? [chromiumPath(), [...chromiumArgs(), ...extra, html]]
        : [chromiumPath(), ["--headless", "--no-sandbox", "--disable-gpu", ...extra, html]];
  const r = spawnSync(command, args, { stdio: "ignore" });
  const wall = performance.now() - t0;
  const pages = existsSync(join(profile, "out.pdf")) ? pdfPages(join(profile, "out.pdf")) : 0;
  rmSync(profile, { recursive: true, force: true });
  if (r.status !== 0 || !pages) throw new Error(`Chromium's own print of ${html} failed (exit ${r.status})`);
  return { wall, pages };
};
const pdfPages = (file: string) => (readFileSync(file, "latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length;
const ownPrint: { wall: number; pages: number }[] = [];
const ownPrintUnpinned: { wall: number; pages: number }[] = [];
const plainPrint: { wall: number; pages: number }[] = [];
for (let i = 0; i < runs + 1; i++) {
  const dir = mkdtempSync(join(tmpdir(), "bench-"));
  const t0 = performance.now();
  execFileSync(join(root, "src/bin.js"), ["build", "--out", dir, "--timings", join(dir, "t.json")], {
    cwd: root,
    stdio: "ignore",
  });
  const wall = performance.now() - t0;
  const t = JSON.parse(readFileSync(join(dir, "t.json"), "utf8"));
  const printed = chromiumPrint(join(dir, "2024", "en", "bulletin.html"), "pinned");
  const unpinned = chromiumPrint(join(dir, "2024", "en", "bulletin.html"), "ours");
  const plain = chromiumPrint(join(dir, "2024", "en", "bulletin.html"), "plain");
  rmSync(dir, { recursive: true, force: true });
  if (i === 0) continue; // the first run warms the disk cache only
  ownPrint.push(printed);
  ownPrintUnpinned.push(unpinned);
  plainPrint.push(plain);
  results.push({
    wall,
    process: t.processMs,
    rss: t.maxRssMB,
    stages: t.stages,
    marks: t.marks ?? {},
    nodeCpu: t.nodeCpuMs ?? 0,
    childCpu: t.childCpuMs ?? 0,
  });
  process.stderr.write(
    `run ${i}: build ${Math.round(wall)} ms, Chromium's own print ${Math.round(printed.wall)} ms (on every CPU: ${Math.round(unpinned.wall)} ms; with its defaults: ${Math.round(plain.wall)} ms)\n`,
  );
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
  "write", // the files of each area's folder, and its atomic publication
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
{
  const build = median(results.map((r) => r.wall));
  // pair by pair: a build and the prints after it share the machine's speed of the moment (it drifts)
  const ratio = (name: string, prints: { wall: number }[], what: string) => {
    const own = median(prints.map((p) => p.wall));
    const pairs = results.map((r, k) => r.wall / prints[k]!.wall);
    console.log(`  ${name.padEnd(11)} ${String(Math.round(own)).padStart(6)} ms  (${what})`);
    console.log(
      `  ${"ratio".padEnd(11)} ${median(pairs).toFixed(2).padStart(6)}     (cold build of both editions ÷ that print of one, median of the ${pairs.length} pairs: ${pairs.map((x) => x.toFixed(2)).join(" ")}; of the medians: ${(build / own).toFixed(2)})`,
    );
  };
  ratio(
    "Chromium",
    ownPrint,
    `its own command line printing the built English bulletin, ${ownPrint[0]?.pages} pages, cold, on the CPU a build starts it on; after each build`,
  );
  ratio(
    "on all CPUs",
    ownPrintUnpinned,
    "the same print, the same arguments, nothing pinned: the fastest of the three",
  );
  ratio(
    "defaults",
    plainPrint,
    "`chromium --headless --no-sandbox --disable-gpu --print-to-pdf`, as anyone would type it: its usual processes",
  );
}
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
console.log("stages overlap: Chromium starts first and boots while Node loads; each edition is printed as soon as its");
console.log(
  "HTML is ready (pdf ⊃ the charts of the next edition); PNGs are encoded on libuv's threads meanwhile (png)",
);
const nodeCpu = median(results.map((r) => r.nodeCpu));
const chromeCpu = median(results.map((r) => r.childCpu));
const cores = cpus().length;
console.log(
  `CPU time (medians): Node ${Math.round(nodeCpu)} ms, Chromium ${Math.round(chromeCpu)} ms: ${Math.round(nodeCpu + chromeCpu)} ms of work on ${cores} cores, so no schedule finishes in less than ${Math.round((nodeCpu + chromeCpu) / cores)} ms`,
);

const printedHtml: Record<string, string> = {};
// Warm: the same build again in one process with one browser, as a series of editions (the municipal editions, a
// preview server) runs: what each further edition costs once Chromium and the modules are loaded.
{
  const { build } = await import("../commands/build.ts");
  const { launchPrinter } = await import("../pdf/print-pdf.ts");
  const { nodeEffects } = await import("../effects-node.ts");
  const chromium = await launchPrinter();
  // what the build gives Chromium to print, kept for the printing floor below
  const printer: typeof chromium = {
    print: (html, o) => {
      printedHtml[o.lang] = html;
      return chromium.print(html, o);
    },
    close: () => chromium.close(),
    unpin: () => chromium.unpin?.(),
  };
  const warm: number[] = [];
  const c0 = process.resourceUsage();
  try {
    for (let i = 0; i < runs + 1; i++) {
      const dir = mkdtempSync(join(tmpdir(), "bench-warm-"));
      const t0 = performance.now();
      // effects whose printer is the running one, left open: each build reuses it
      const fx = nodeEffects({ quiet: true, startPrinter: async () => printer });
      await build({ configPath: join(root, "config.yml"), outDir: dir }, fx);
      if (i > 0) warm.push(performance.now() - t0); // the first one loads the modules and warms the browser
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await printer.close();
  }
  const c1 = process.resourceUsage();
  console.log(
    `warm (one process, one browser, ${runs} builds after a first): ${Math.round(median(warm))} ms per full build of both editions (Node CPU ${Math.round((c1.userCPUTime + c1.systemCPUTime - c0.userCPUTime - c0.systemCPUTime) / 1000 / (runs + 1))} ms per build)`,
  );
}

// The floor: Chromium alone, no Node, printing a one-line page from a cold start (what any build must at least pay).
const chromium = chromiumPath();
const floor: { wall: number; cpu: number }[] = [];
const page = join(mkdtempSync(join(tmpdir(), "bench-floor-")), "one-line.html");
writeFileSync(page, "<!doctype html><p>One line.</p>");
const childCpu = () => reapedChildrenCpuMs() ?? 0;
for (let i = 0; i < runs; i++) {
  const profile = mkdtempSync(join(tmpdir(), "bench-profile-"));
  const c0 = childCpu();
  const t0 = performance.now();
  // the same arguments and CPUs a build gives it
  const [command, args] = chromiumCommand(chromium, [
    `--user-data-dir=${profile}`,
    `--print-to-pdf=${join(profile, "out.pdf")}`,
    "--no-pdf-header-footer",
    page,
  ]);
  spawnSync(command, args, { stdio: "ignore" });
  floor.push({ wall: performance.now() - t0, cpu: childCpu() - c0 });
  rmSync(profile, { recursive: true, force: true });
}
rmSync(dirname(page), { recursive: true, force: true });
console.log(
  `floor on this machine: Chromium alone (same arguments and CPUs), cold, printing a one-line page: ${Math.round(median(floor.map((f) => f.wall)))} ms wall, ${Math.round(median(floor.map((f) => f.cpu)))} ms CPU (median of ${runs})`,
);
// and Chromium's share of a build alone: start it cold and print the two finished editions (HTML made beforehand)
{
  const { launchPrinter } = await import("../pdf/print-pdf.ts");
  const print: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const printer = await launchPrinter();
    printer.unpin?.(); // as a build does once it has handed over the last edition
    try {
      const o = { header: "", footer: "{page}/{total}" };
      const info = { title: "", subject: "", keywords: "", author: "", creator: "" };
      await Promise.all(Object.entries(printedHtml).map(([lang, html]) => printer.print(html, { ...o, lang, info })));
    } finally {
      await printer.close();
    }
    print.push(performance.now() - t0);
  }
  console.log(
    `printing alone: a cold Chromium printing the two finished editions (no data, charts or HTML work): ${Math.round(median(print))} ms (median of ${runs})`,
  );
}
