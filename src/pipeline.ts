/**
 * The one place that chains the stages.
 *
 * config.yml ─ readConfig ─► Config
 * data/…     ─ readDatasets ─► Datasets ─ validateDatasets ─► Problem[]      (stop on errors, all listed)
 * Datasets   ─ computeIndicators ─► Indicators                               (language-neutral; indicators.json)
 * publish (atomic) ─► output/<year>/…
 *
 * 1. read the config          2. read the tables          3. validate (collect every problem)
 * 4. compute the indicators   5. write into a staging folder and publish it atomically
 *
 * Stages are pure functions of their inputs; files, clock and log come in through `Effects`.
 */
import { join } from "node:path";
import { readConfig } from "./config/read-config.ts";
import type { Config } from "./config/schema.ts";
import { type Datasets, flowYearsFor, readDatasets } from "./data/read-datasets.ts";
import type { Effects } from "./effects.ts";
import { InputError, type Problem, UsageError } from "./errors/problem.ts";
import { computeIndicators } from "./indicators/compute-indicators.ts";
import type { Indicators } from "./indicators/types.ts";
import { discard, publish, stage } from "./publish.ts";
import { validateDatasets } from "./validate/validate-datasets.ts";

export interface RunOptions {
  configPath: string;
  year?: number;
  outDir?: string;
}
export type Timings = Record<string, number>;

export interface Prepared {
  config: Config;
  year: number;
  datasets: Datasets;
  problems: Problem[];
  timings: Timings;
}

async function timed<T>(timings: Timings, name: string, f: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    timings[name] = (timings[name] ?? 0) + performance.now() - t0;
  }
}

/** Steps 1–3: config, tables, validation. Problems are returned, not thrown, so `check` can print all of them. */
export async function prepare(opts: RunOptions, fx: Effects): Promise<Prepared> {
  const timings: Timings = {};
  const config = await timed(timings, "load", async () => {
    let text: string;
    try {
      text = (await fx.readFile(opts.configPath)).toString("utf8");
    } catch {
      throw new UsageError(
        `cannot read the config file ${opts.configPath}: pass --config PATH or run from the project folder`,
      );
    }
    return readConfig(text, opts.configPath);
  });
  const year = opts.year ?? config.year;
  const { datasets, problems: readProblems } = await timed(timings, "load", () => readDatasets(config, year, fx));
  const problems = await timed(timings, "validate", () => [
    ...readProblems,
    ...validateDatasets(datasets, {
      year,
      region: config.geography.region,
      periodYears: flowYearsFor(config, year).required,
    }),
  ]);
  return { config, year, datasets, problems, timings };
}

export interface BuildResult {
  year: number;
  target: string;
  indicators: Indicators;
  problems: Problem[];
  timings: Timings;
}

/** Steps 1–5. Bad input throws an InputError listing every problem, before anything is written. */
export async function build(opts: RunOptions, fx: Effects): Promise<BuildResult> {
  const t0 = performance.now();
  const prep = await prepare(opts, fx);
  const { config, year, datasets, timings } = prep;
  const errors = prep.problems.filter((p) => p.severity === "error");
  if (errors.length)
    throw new InputError(`the data has ${errors.length} problem(s); nothing was written`, prep.problems);
  const indicators = await timed(timings, "indicators", () =>
    computeIndicators(datasets, {
      year,
      region: config.geography.region,
      periodYears: config.municipalPeriod.years,
      synthetic: config.synthetic,
    }),
  );
  const target = join(opts.outDir ?? config.output.dir, String(year));
  const staging = await stage(fx, target);
  try {
    await timed(timings, "write", async () => {
      await fx.writeFile(join(staging, "indicators.json"), `${JSON.stringify(indicators, null, 2)}\n`);
    });
    await timed(timings, "publish", () => publish(fx, staging, target));
  } catch (e) {
    await discard(fx, staging);
    throw e;
  }
  timings.total = performance.now() - t0;
  return { year, target, indicators, problems: prep.problems, timings };
}
