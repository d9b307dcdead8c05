/**
 * Benchmark of the live preview (`npm run bench -- serve [--runs 5]`): from the moment a file is written to the
 * moment the page in a real browser has reloaded with the change, for a template edit, a locale edit and a data
 * edit (interleaved, median of the runs), next to cold builds measured in the same run (a fresh process, as
 * `npx bulletin build` runs): HTML only (what the preview makes) and HTML + PDF.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import puppeteer from "puppeteer-core";
import { serve } from "../commands/serve.ts";
import { nodeEffects } from "../effects-node.ts";
import { chromiumArgs } from "../pdf/chromium.ts";
import { chromiumPath } from "../pdf/print-pdf.ts";
import { median } from "./median.ts";

const root = resolve(import.meta.dirname, "../..");
const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 5;

const dir = mkdtempSync(join(tmpdir(), "bench-serve-"));
for (const p of ["config.yml", "templates", "data"]) cpSync(join(root, p), join(dir, p), { recursive: true });
const coldBuild = (formats: string) => {
  const out = mkdtempSync(join(tmpdir(), "bench-cold-"));
  const t0 = performance.now();
  execFileSync(
    join(root, "src/bin.js"),
    ["build", "--config", join(dir, "config.yml"), "--out", out, "--format", formats],
    { cwd: root, stdio: "ignore" },
  );
  rmSync(out, { recursive: true, force: true });
  return performance.now() - t0;
};

process.chdir(dir); // data.dir is relative to the working folder, as for `bulletin build`
const fx = nodeEffects({ quiet: true });
const preview = await serve({ configPath: join(dir, "config.yml"), host: "127.0.0.1", port: 0 }, fx);
const browser = await puppeteer.launch({ executablePath: chromiumPath(), args: chromiumArgs(), headless: true });
const page = await browser.newPage();
await page.goto(preview.url.replace("/nl/", "/en/"), { waitUntil: "load" });

const files = {
  template: join(dir, "templates/narrative/en/headline.hbs"),
  locale: join(dir, "templates/locales/en.yml"),
  data: join(dir, "data/long-series.csv"),
};
const originals = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, readFileSync(f, "utf8")]));
/** The edit of run `n`, and the text the reloaded page shows for it. */
const edits: Record<keyof typeof files, (n: number) => { text: string; expect: string }> = {
  template: (n) => ({
    text: originals.template!.replace("=== body\n", `=== body\nBench sentence ${"x".repeat(n)}. `),
    expect: `Bench sentence ${"x".repeat(n)}.`,
  }),
  locale: (n) => ({
    text: originals.locale!.replace(/^contents: .*$/m, `contents: Contents ${"y".repeat(n)}`),
    expect: `Contents ${"y".repeat(n)}`,
  }),
  // a late registration in 1991 (Walloon Region): the regions' table of figure 6 shows the new balance
  data: (n) => {
    const count = (d: string) => Number(new RegExp(`^1991,03000,${d},(\\d+)`, "m").exec(originals.data!)![1]);
    const text = originals.data!.replace(
      /^1991,03000,immigration,(\d+)/m,
      `1991,03000,immigration,${count("immigration") + n}`,
    );
    return { text, expect: (count("immigration") + n - count("emigration")).toLocaleString("en-GB") };
  },
};
const timesOf: Record<string, number[]> = { template: [], locale: [], data: [], coldHtml: [], coldFull: [] };
for (let n = 1; n <= runs + 1; n++) {
  for (const kind of ["template", "locale", "data"] as const) {
    const e = edits[kind](n);
    const t0 = performance.now();
    writeFileSync(files[kind], e.text);
    // until the page shows the change (it reloads itself; a check in the middle of a reload is tried again)
    let ms = 0;
    while (!ms) {
      if (performance.now() - t0 > 60_000) throw new Error(`the ${kind} edit did not show in the page`);
      const shown = await page
        .evaluate(
          (s) => document.readyState === "complete" && (document.body.textContent?.includes(s) ?? false),
          e.expect,
        )
        .catch(() => false);
      if (shown) ms = performance.now() - t0;
      else await new Promise((r) => setTimeout(r, 5));
    }
    if (n > 1) timesOf[kind]!.push(ms); // the first round warms the caches of each kind
  }
  // cold builds, interleaved with the edits (the machine's speed drifts)
  timesOf.coldHtml!.push(coldBuild("html"));
  if (n % 2) timesOf.coldFull!.push(coldBuild("html,pdf"));
}
// memory: 150 distinct municipal editions one after another, as an editor browsing them for an afternoon; then the
// first one again (dropped from memory by then, drawn again)
const origin = new URL(preview.url).origin;
const munis = readFileSync(join(dir, "data/codes/municipalities.csv"), "utf8")
  .split("\n")
  .slice(1)
  .map((l) => l.split(","))
  .filter((r) => r[4] === "02000" && !r[5] && !r[6])
  .map((r) => r[0]!)
  .slice(0, 150);
let peakRss = 0;
const visit = async (nis: string) => {
  const r = await fetch(`${origin}/2024/municipalities/${nis}/en/`);
  await r.text();
  if (r.status !== 200) throw new Error(`/2024/municipalities/${nis}/en/ answered ${r.status}`);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const tVisit = performance.now();
for (const nis of munis) await visit(nis);
const perVisit = (performance.now() - tVisit) / munis.length;
const rssAfter = process.memoryUsage().rss;
const tAgain = performance.now();
await visit(munis[0]!);
const again = performance.now() - tAgain;
await browser.close();
await preview.close();
await fx.close();
rmSync(dir, { recursive: true, force: true });

const m = Object.fromEntries(Object.entries(timesOf).map(([k, v]) => [k, median(v)]));
console.log(`migration-bulletin preview benchmark: write → page reloaded with the change, ${runs} runs, medians`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, Node ${process.version}`);
for (const k of ["template", "locale", "data"])
  console.log(
    `  ${`${k} edit`.padEnd(16)} ${String(Math.round(m[k]!)).padStart(6)} ms  = ${(m[k]! / m.coldHtml!).toFixed(2)} × cold HTML build, ${(m[k]! / m.coldFull!).toFixed(2)} × cold full build`,
  );
console.log(
  `  ${"cold build HTML".padEnd(16)} ${String(Math.round(m.coldHtml!)).padStart(6)} ms  (fresh process, nl + en)`,
);
console.log(`  ${"cold build full".padEnd(16)} ${String(Math.round(m.coldFull!)).padStart(6)} ms  (HTML + PDF)`);
console.log(
  `  ${"150 editions".padEnd(16)} RSS ${Math.round(rssAfter / 1e6)} MB after (peak ${Math.round(peakRss / 1e6)} MB), memory budget 256 MB (default); ${Math.round(perVisit)} ms an edition`,
);
console.log(
  `  ${"dropped, again".padEnd(16)} ${String(Math.round(again)).padStart(6)} ms  = ${(again / m.coldHtml!).toFixed(2)} × cold HTML build`,
);
console.log(`goal: under 600 MB after 150 editions: ${rssAfter < 600e6 ? "met" : "not met"}`);
console.log(
  `goal: a template edit on screen in under a tenth of a cold build: ${m.template! < m.coldFull! / 10 ? "met" : "not met"}`,
);
