/**
 * Benchmark of the round's confidentiality (`npm run bench -- disclosure [--year 2024] [--runs 3]`):
 *
 * 1. What is hidden, on the round's own cells (every count its editions publish): cells hidden (shown "<5", shown
 *    "x"), persons in them, and the share of the count cells hidden per level of area, for the round's pattern and
 *    two baselines computed in the same run: hiding every figure of a municipality that has any count of 1–4, and the
 *    pattern each municipal edition chose alone before the round's pattern (indicators/disclosure.ts), which the
 *    audit showed unsafe across a round.
 * 2. How long it takes, against the HTML batch of the round's municipal editions (a fresh process each run, the
 *    pattern already cached), runs interleaved: the round's pattern computed with the earlier rounds' patterns known
 *    (the marginal cost of a round), the whole chain computed cold, and the audit of the round's folder (region, areas,
 *    municipalities) read with the earlier round's.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chainOf, roundPatternFor } from "../chain/round.ts";
import { loadConfig } from "../config/read-config.ts";
import { harmonise } from "../data/harmonise.ts";
import { readDatasets } from "../data/read-datasets.ts";
import { cellsOf } from "../disclosure/cells.ts";
import { parseKey } from "../disclosure/keys.ts";
import { roundAreas, roundData } from "../disclosure/round.ts";
import { nodeEffects } from "../effects-node.ts";
import { computeIndicators } from "../indicators/compute-indicators.ts";
import { median } from "./median.ts";

const root = resolve(import.meta.dirname, "../..");
const arg = (name: string, d: string) =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1]! : d;
const runs = Number(arg("--runs", "3"));
const configPath = join(root, "config.yml");
const fx = nodeEffects({ quiet: true });
const config = await loadConfig(configPath, fx);
const year = Number(arg("--year", String(config.year)));
const out = mkdtempSync(join(tmpdir(), "bench-disclosure-"));
const cli = (...args: string[]) => {
  const t = performance.now();
  const r = spawnSync(join(root, "src/bin.js"), [...args, "--out", out], {
    cwd: root,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`bulletin ${args.join(" ")}: ${r.stderr}`);
  return performance.now() - t;
};

// ── 1. what is hidden ─────────────────────────────────────────────────────────────────────────────────────────────
const round = await roundPatternFor(config, year, fx);
const read = await readDatasets(config, year, fx);
const geography = config.editions[String(year)]?.geography ?? year;
const h = harmonise(read.datasets, geography);
const params = {
  year,
  region: config.geography.region,
  geography,
  periodYears: config.municipalPeriod.years,
  synthetic: config.synthetic,
  rule: config.disclosure,
};
const data = roundData(h.datasets, params, read.datasets);
const isCount = (k: string) => ["immigration", "emigration"].includes(parseKey(k).dir);
const counts = [...data.truth].filter(([k]) => isCount(k));
const levelOf = (k: string) => {
  const code = parseKey(k).code;
  if (data.geo.munis.has(code) || !/000$/.test(code)) return "municipality";
  if (code === config.geography.region) return "region";
  return [...data.geo.munis.values()].some((m) => m.province === code) ? "province" : "arrondissement";
};
const levels = ["municipality", "arrondissement", "province", "region"];
interface Loss {
  small: number;
  x: number;
  persons: number;
  byLevel: Record<string, number>;
}
const loss = (hidden: (k: string) => "small" | "x" | undefined): Loss => {
  const l: Loss = { small: 0, x: 0, persons: 0, byLevel: {} };
  const total: Record<string, number> = {};
  for (const [k, v] of counts) {
    const lv = levelOf(k);
    total[lv] = (total[lv] ?? 0) + 1;
    const h = hidden(k);
    if (!h) continue;
    l[h]++;
    l.persons += v;
    l.byLevel[lv] = (l.byLevel[lv] ?? 0) + 1;
  }
  for (const lv of levels) l.byLevel[lv] = (l.byLevel[lv] ?? 0) / (total[lv] || 1);
  return l;
};
const min = config.disclosure.minCount;
const roundLoss = loss((k) => {
  const x = round.pattern.hidden.get(k);
  return x ? ((x.shown ?? x.kind) === "primary" ? "small" : "x") : undefined;
});
// baseline A: every count of a municipality that has any count of 1–4 among its cells
const smallMunis = new Set(
  counts.filter(([k, v]) => v >= 1 && v < min && levelOf(k) === "municipality").map(([k]) => parseKey(k).code),
);
const baselineA = loss((k) => (smallMunis.has(parseKey(k).code) ? "x" : undefined));
// baseline B: each municipal edition protected alone (its own sums), as the editions were before the round's pattern
const perEdition = new Map<string, "small" | "x">();
const regionInd = data.raw.get(config.geography.region)!;
for (const area of roundAreas(h.datasets, config.geography.region)) {
  if (area.level !== "municipality") continue;
  const ind = computeIndicators(h.datasets, {
    year,
    area,
    periodYears: params.periodYears,
    synthetic: params.synthetic,
    regionRows: regionInd.municipalities.rows,
    disclosure: config.disclosure,
  });
  const primary = new Set(ind.disclosure?.primary ?? []);
  for (const c of cellsOf(ind, data.geo).cells)
    if (c.value === null && isCount(c.key)) perEdition.set(c.key, c.paths.some((p) => primary.has(p)) ? "small" : "x");
}
const baselineB = loss((k) => perEdition.get(k));

// ── 2. how long it takes ──────────────────────────────────────────────────────────────────────────────────────────
const chain = chainOf(config, year);
const areas = [
  config.geography.region,
  ...new Set([...data.geo.munis.values()].flatMap((m) => [m.province, m.arrondissement])),
].join(",");
const times = { batch: [] as number[], round: [] as number[], chain: [] as number[], audit: [] as number[] };
// the earlier rounds' folders and this round's areas, for the audit (not timed)
for (const y of chain) {
  cli("build", "--year", String(y), "--area", areas, "--format", "html");
  if (y !== year) cli("build", "--year", String(y), "--area", "municipalities", "--format", "html");
}
const noCache = { ...fx, cacheDir: undefined };
for (let i = 0; i < runs; i++) {
  times.batch.push(cli("build", "--year", String(year), "--area", "municipalities", "--format", "html"));
  // the round alone: the earlier rounds' patterns known (from the machine's cache), this one computed
  const memo = new Map();
  for (const y of chain.slice(0, -1)) await roundPatternFor(config, y, fx, { memo });
  let t = performance.now();
  await roundPatternFor(config, year, { ...fx, cacheDir: undefined }, { memo });
  times.round.push(performance.now() - t);
  t = performance.now();
  await roundPatternFor(config, year, noCache);
  times.chain.push(performance.now() - t);
  const { auditDirs } = await import("../commands/audit.ts");
  t = performance.now();
  const a = await auditDirs({ dirs: chain.slice(-2).map((y) => join(out, String(y))), configPath }, fx);
  times.audit.push(performance.now() - t);
  if (a.report.findings.length) throw new Error(`the audit found ${a.report.findings.length} cells`);
}
rmSync(out, { recursive: true, force: true });

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const row = (name: string, l: Loss) =>
  `| ${name} | ${l.small} | ${l.x} | ${l.small + l.x} | ${l.persons.toLocaleString("en")} | ${levels.map((lv) => pct(l.byLevel[lv] ?? 0)).join(" | ")} |`;
console.log(
  `\nround ${year} (read with ${chain.slice(0, -1).join(", ") || "no earlier round"}): ${counts.length} published count cells\n`,
);
console.log(
  `| pattern | shown <${min} | shown x | cells hidden | persons in them | ${levels.map((l) => `${l} cells hidden`).join(" | ")} |`,
);
console.log(`|---|---|---|---|---|${levels.map(() => "---|").join("")}`);
console.log(row("round pattern (this program)", roundLoss));
console.log(row("baseline: every count of a municipality with a count of 1–4", baselineA));
console.log(row("baseline: each municipal edition alone (unsafe across the round)", baselineB));
const m = (xs: number[]) => median(xs);
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const spread = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
console.log(`\n${runs} runs, interleaved; medians (min–max):\n`);
console.log("| | median | spread | ratio to the HTML batch |");
console.log("|---|---|---|---|");
console.log(
  `| HTML batch of the ${year} municipal editions (fresh process) | ${fmt(m(times.batch))} | ${spread(times.batch)} | 1 |`,
);
for (const [k, name] of [
  ["round", `pattern of ${year}, earlier rounds known`],
  ["chain", `pattern of ${year} and every earlier round, cold`],
  ["audit", `audit of ${chain.slice(-2).join(" + ")} (every edition)`],
] as const)
  console.log(`| ${name} | ${fmt(m(times[k]))} | ${spread(times[k])} | ${(m(times[k]) / m(times.batch)).toFixed(3)} |`);
