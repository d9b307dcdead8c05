/**
 * Benchmark of the Statbel population import (`npm run bench -- import [--runs 3]`): a generated full-size
 * TF_SOC_POP_STRUCT file (470,000 lines, ~100 MB unpacked, zipped as Statbel ships it) imported by the command in a
 * fresh process; prints the time, lines per second and the process's peak RSS (read from /proc while it runs).
 */
import { spawn } from "node:child_process";
import { cpSync, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import yazl from "yazl";
import { median } from "./median.ts";

const root = resolve(import.meta.dirname, "../..");
const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 3;
const LINES = 470_000;

const dir = mkdtempSync(join(tmpdir(), "bench-import-"));
cpSync(join(root, "data"), join(dir, "data"), { recursive: true });
const config = join(dir, "config.yml");
writeFileSync(config, readFileSync(join(root, "config.yml"), "utf8").replace("  dir: data", `  dir: ${dir}/data`));

// the municipalities of the code list, and as many others (other regions) as Belgium has
const munis = readFileSync(join(root, "data/codes/municipalities.csv"), "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((l) => l.split(","))
  .filter((r) => r[6] === "" || r[6] === undefined)
  .map((r) => ({ nis: r[0]!, dstr: r[2]!, prov: r[3]!, rgn: "02000" }));
for (let i = 0; munis.length < 581; i++)
  munis.push({ nis: String(55001 + i), dstr: "51000", prov: "50000", rgn: "03000" }); // no code of an area
const header =
  "CD_REFNIS|TX_DESCR_NL|TX_DESCR_FR|CD_DSTR_REFNIS|TX_ADM_DSTR_DESCR_NL|TX_ADM_DSTR_DESCR_FR|CD_PROV_REFNIS|TX_PROV_DESCR_NL|TX_PROV_DESCR_FR|CD_RGN_REFNIS|TX_RGN_DESCR_NL|TX_RGN_DESCR_FR|CD_SEX|CD_NATLTY|TX_NATLTY_NL|TX_NATLTY_FR|CD_CIV_STS|TX_CIV_STS_NL|TX_CIV_STS_FR|CD_AGE|MS_POPULATION";
const zipPath = join(dir, "TF_SOC_POP_STRUCT_2030.zip");
{
  const z = new yazl.ZipFile();
  const lines: string[] = [`\uFEFF${header}`];
  for (let i = 0; i < LINES; i++) {
    const m = munis[i % munis.length]!;
    const k = Math.floor(i / munis.length);
    lines.push(
      `${m.nis}|Gemeente ${m.nis}|Commune ${m.nis}|${m.dstr}|Arrondissement|Arrondissement|${m.prov}|Provincie|Province|${m.rgn}|Gewest|Région|${k % 2 ? "M" : "F"}|${k % 3 ? "BEL" : "ETR"}|${k % 3 ? "Belgen" : "Niet-Belgen"}|${k % 3 ? "Belges" : "Non-Belges"}|${(k % 5) + 1}|Ongehuwd|Célibataire|${k % 110}|${(i * 7919) % 97}`,
    );
  }
  z.addBuffer(Buffer.from(`${lines.join("\r\n")}\r\n`), "TF_SOC_POP_STRUCT_2030.txt");
  z.end();
  await new Promise<void>((r) => z.outputStream.pipe(createWriteStream(zipPath)).on("close", () => r()));
}

const results: { ms: number; rssMB: number }[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const child = spawn(join(root, "src/bin.js"), ["data", "import", "statbel-population", zipPath, "--config", config], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  let peak = 0;
  const poll = setInterval(() => {
    try {
      const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1]);
      if (kb) peak = Math.max(peak, kb);
    } catch {}
  }, 5);
  const code = await new Promise<number | null>((r) => child.on("exit", r));
  clearInterval(poll);
  if (code !== 0) throw new Error(`the import exited with ${code}:\n${stderr}`);
  results.push({ ms: performance.now() - t0, rssMB: peak / 1024 });
  process.stderr.write(
    `run ${i + 1}: ${Math.round(performance.now() - t0)} ms, peak RSS ${Math.round(peak / 1024)} MB\n`,
  );
}
const ms = median(results.map((r) => r.ms));
console.log(`migration-bulletin import benchmark: Statbel population file, ${LINES.toLocaleString("en-GB")} lines`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, Node ${process.version}`);
console.log(`  file        ${Math.round(statSync(zipPath).size / 1e6)} MB zipped`);
console.log(`  time        ${Math.round(ms)} ms (median of ${runs}, fresh process, from spawn to exit)`);
console.log(`  throughput  ${Math.round(LINES / (ms / 1000)).toLocaleString("en-GB")} lines/s`);
console.log(
  `  peak RSS    ${Math.round(Math.max(...results.map((r) => r.rssMB)))} MB (the most of ${runs} runs; goal < 150 MB)`,
);
rmSync(dir, { recursive: true, force: true });
