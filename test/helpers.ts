import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { loadConfig } from "../src/config/read-config.ts";
import { harmonise } from "../src/data/harmonise.ts";
import { flowYearsFor, readDatasets } from "../src/data/read-datasets.ts";
import type { Effects, Printer } from "../src/effects.ts";
import { nodeEffects } from "../src/effects-node.ts";
import { type Area, isProblem, resolveArea } from "../src/indicators/area.ts";
import { computeIndicators } from "../src/indicators/compute-indicators.ts";
import type { Indicators } from "../src/indicators/types.ts";
import { launchPrinter } from "../src/pdf/print-pdf.ts";
import { validateDatasets } from "../src/validate/validate-datasets.ts";

export const root = resolve(import.meta.dirname, "..");
export const shared = resolve(root, "../shared");
export const configPath = join(root, "config.yml");

/**
 * One Chromium for the builds of a test process (a worker runs several test files one after the other), started on
 * the first print: a launch and a first print cost about a second of CPU each time. Closing the effects of a test
 * leaves it open; it goes with the process (print-pdf.ts stops its browser when the process exits). The tests of
 * the printer itself (launches, recycling, failures, SIGTERM) start their own.
 */
let printerOfProcess: Promise<Printer> | undefined;
const processPrinter = (): Promise<Printer> => {
  printerOfProcess ??= launchPrinter().then(
    (p) => ({ ...p, close: async () => {} }),
    (e) => {
      printerOfProcess = undefined; // a launch that failed is tried again by the next test
      throw e;
    },
  );
  return printerOfProcess;
};

/** Real file system, except for the paths given (relative to the project root), which read from memory. */
export function overlayEffects(
  overrides: Record<string, string | Buffer> = {},
  o: { env?: NodeJS.ProcessEnv; startPrinter?: () => Promise<Printer> } = {},
): Effects & { logs: string[] } {
  // without a printer or environment of its own, a test prints with the Chromium of its test process
  const startPrinter = o.startPrinter ?? (o.env ? undefined : processPrinter);
  const base = nodeEffects({ quiet: true, ...o, ...(startPrinter ? { startPrinter } : {}) });
  const logs: string[] = [];
  const map = new Map(Object.entries(overrides).map(([k, v]) => [resolve(root, k), v]));
  return {
    ...base,
    readFile: async (p) => {
      const o = map.get(resolve(root, p));
      if (o !== undefined) return Buffer.isBuffer(o) ? o : Buffer.from(o, "utf8");
      return base.readFile(resolve(root, p));
    },
    exists: async (p) => map.has(resolve(root, p)) || base.exists(resolve(root, p)),
    log: (m) => logs.push(m),
    warn: (m) => logs.push(`warning: ${m}`),
    logs,
  };
}

/** The text of a shipped data file (gunzipped when needed). */
export function dataText(rel: string): string {
  const buf = readFileSync(join(root, rel));
  return (buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf).toString("utf8");
}

/** Replaces line `n` (1-based) of a text. */
export function replaceLine(text: string, n: number, f: (line: string) => string): string {
  const lines = text.split("\n");
  lines[n - 1] = f(lines[n - 1] ?? "");
  return lines.join("\n");
}

/** Steps 1–3 of the pipeline (config, tables, validation) for the tests of the data and the indicators. */
export async function prepare(o: { configPath: string; year?: number }, fx: Effects) {
  const config = await loadConfig(o.configPath, fx);
  const year = o.year ?? config.year;
  const { datasets, problems } = await readDatasets(config, year, fx);
  problems.push(
    ...validateDatasets(datasets, {
      year,
      region: config.geography.region,
      periodYears: flowYearsFor(config, year).required,
    }),
  );
  return { config, year, datasets, problems };
}

/** The area of a NIS code in the prepared tables (a test's mistake if it is unknown). */
export function areaOf(datasets: Parameters<typeof resolveArea>[0], nis = "02000"): Area {
  const a = resolveArea(datasets, nis);
  if (isProblem(a)) throw new Error(a.message);
  return a;
}

/** The indicators of an area's edition of `year` from the shipped data (or the overrides). */
export async function indicatorsOf(
  year: number,
  area = "02000",
  overrides: Record<string, string> = {},
): Promise<Indicators> {
  const prep = await prepare({ configPath, year }, overlayEffects(overrides));
  const ds = harmonise(prep.datasets, year).datasets; // on the municipalities of the year, as the pipeline does
  return computeIndicators(ds, { year, area: areaOf(ds, area), periodYears: 3, synthetic: true });
}

/** The real file system with a printer that never prints (for tests that build HTML only). */
export function memoryPrinterEffects(): Effects & { logs: string[] } {
  return overlayEffects({}, { startPrinter: () => Promise.reject(new Error("this test prints no PDF")) });
}
