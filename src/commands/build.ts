/**
 * `bulletin build` and `bulletin check`: the chain (chain/pipeline.ts renders steps 1–8) and step 9, publishing each
 * area's folder atomically; `check` runs steps 1–5 and writes nothing.
 */

import { join } from "node:path";
import { saveCompiledCode } from "../chain/compiled-cache.ts";
import { narrate, prepareYear, templatesFor } from "../chain/prepare.ts";
import { publishRecords } from "../chain/round.ts";
import type { BuildRequest, Built, Format } from "../chain/types.ts";
import { planEditions } from "../config/editions.ts";
import { loadConfig } from "../config/read-config.ts";
import type { Lang } from "../core/domain.ts";
import { timed } from "../core/timing.ts";
import type { Effects } from "../effects.ts";
import { ExitCode, InputError, type Problem, UsageError } from "../errors/problem.ts";
import { boundaryReader } from "../geo/read-boundaries.ts";
import { KEEP_ON_REBUILD, publishFolder } from "../publish/publish.ts";
import { auditAfterBuild } from "./audit.ts";
import { printProblems } from "./report.ts";

export type { BuildRequest, Built, BuiltArea, BuiltEdition, Format } from "../chain/types.ts";

/**
 * `bulletin check`: the config, the data of every year asked for, then, when they pass, the templates, labels and
 * editorial notes (the narrative of every language is written and compared), without rendering or writing anything.
 */
export async function check(req: BuildRequest, fx: Effects): Promise<{ problems: Problem[]; years: number[] }> {
  const config = await loadConfig(req.configPath, fx); // 1
  const plan = planEditions(config, req);
  const out = { problems: [] as Problem[], timings: {} };
  for (const [year, areas] of plan) {
    const prepared = await prepareYear(config, req, year, areas, fx, out); // 2–4
    try {
      const templates = prepared.length ? await templatesFor(req, plan, fx) : undefined;
      const boundariesOf = boundaryReader(config.data.dir, fx);
      for (const p of prepared) narrate(p, templates!, req.configPath, Boolean(await boundariesOf(p))); // 5
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      out.problems.push(...e.problems);
    }
  }
  await saveCompiledCode(fx);
  return { problems: out.problems, years: [...plan.keys()] };
}

/** The whole build: render every edition (steps 1–8), then publish each area's folder atomically (step 9). */
export async function build(req: BuildRequest, fx: Effects): Promise<Built> {
  const t0 = performance.now();
  // the chain's renderers (vega, …) are loaded when a build renders, not by a batch or a check
  const { filesOf, render } = await import("../chain/pipeline.ts");
  const built = await render(req, fx);
  const html = (req.formats ?? ["html", "pdf"]).includes("html");
  await timed(built.timings, "write", async () => {
    for (const b of built.areas) {
      const files = filesOf(b, html);
      b.unchanged = (await publishFolder(fx, b.target, files, KEEP_ON_REBUILD)) === "unchanged"; // 9
    }
    await publishRecords(built, req.outDir ?? built.config.output.dir, fx);
  });
  built.marks.published = Math.round(performance.now());
  built.timings.total = performance.now() - t0;
  return built;
}

/** What `bulletin build` is asked for on the command line. */
export interface BuildOptions {
  config: string;
  year?: number;
  area?: string[];
  out?: string;
  lang?: Lang[];
  format: Format[];
  timings?: string;
  resume?: boolean;
  shard?: string;
  shards?: number;
  wait?: boolean;
}

/**
 * `bulletin build` as the command line runs it: one build into a folder at a time; the municipal batch, or the
 * editions asked for with their report (and the stage timings for the benchmark), then the audit of the year's
 * folder when editions of areas below the region were written.
 */
export async function runBuild(o: BuildOptions, fx: Effects) {
  const all = o.area?.find((a) => a.startsWith("municipalities"));
  await lockOutput(o, Boolean(all), fx);
  if (all) return (await import("./batch/run.ts")).runBatch({ ...o, all }, fx);
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== "" && !/^\d+$/.test(epoch))
    throw new UsageError(`SOURCE_DATE_EPOCH=${epoch} is not a number of seconds since 1970 (e.g. 1752537600)`);
  const r = await build(
    {
      ...{ configPath: o.config, year: o.year, areas: o.area, outDir: o.out, langs: o.lang, formats: o.format },
      ...(epoch ? { sourceDateEpoch: Number(epoch) } : {}),
    },
    fx,
  );
  if (o.timings) await writeTimings(o.timings, r, fx);
  printProblems(r.problems);
  for (const a of r.areas) {
    const langs = a.editions.map((e) => e.key.lang).join(", ");
    process.stderr.write(
      a.unchanged
        ? `unchanged ${a.target} (${langs}): the same bytes as published, left as they were\n`
        : `built ${a.target} (${langs})\n`,
    );
  }
  process.stderr.write(`in ${Math.round(r.timings.total ?? 0)} ms\n`);
  // editions of areas below the region: the year's folder is audited as a reader reads it
  const below = r.areas.map((a) => /^(.*[\\/]\d{4})[\\/](areas|municipalities)[\\/]/.exec(a.target)?.[1]);
  const dirs = below.filter((d): d is string => d !== undefined);
  if (dirs.length && !r.problems.some((p) => p.severity === "error")) await auditAfterBuild(dirs, o.config, fx);
}

/** The stage timings and peak memory of a build, as JSON (`--timings FILE`, read by npm run bench). */
async function writeTimings(file: string, r: Built, fx: Effects) {
  const sinceStart = performance.now();
  await fx.writeFile(
    file,
    JSON.stringify({
      stages: r.timings,
      marks: r.marks,
      processMs: sinceStart,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
      // CPU time of this Node process (user + system); Chromium's is on top
      nodeCpuMs: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000,
      // and Chromium's (the children this process started and reaped), where Linux tells it
      childCpuMs: await fx.close().then(async () => (await import("../pdf/chromium.ts")).reapedChildrenCpuMs()),
    }),
  );
}

/** `bulletin check` as the command line runs it: the problems, or that everything passes. */
export async function runCheck(o: { config: string; year?: number; area?: string[] }, fx: Effects) {
  const r = await check({ configPath: o.config, year: o.year, areas: o.area }, fx);
  printProblems(r.problems);
  const errors = r.problems.filter((p) => p.severity === "error").length;
  if (errors) process.exitCode = ExitCode.badInput;
  else
    process.stderr.write(`ok: the data, templates and notes of the ${r.years.join(", ")} edition pass every check\n`);
}

/**
 * One build at a time writes into an output folder (one batch per shard: the shards of a Job write side by side); the
 * lock is held until the command ends (its effects are closed) or its process does.
 */
async function lockOutput(
  o: { config: string; out?: string; shard?: string; shards?: number; wait?: boolean },
  batch: boolean,
  fx: Effects,
) {
  const out = o.out ?? (await loadConfig(o.config, fx)).output.dir;
  // the batch's module only for a batch: a single build does not load it
  const shard = batch ? (await import("./batch/manifest.ts")).shardFrom(o.shard, process.env, o.shards) : undefined;
  const name = shard ? `.build-shard-${shard.index}of${shard.count}.lock` : ".build.lock";
  await fx.lock({
    path: join(out, name),
    wait: Boolean(o.wait),
    holder: shard ? `another build of shard ${shard.index}/${shard.count} into ${out}` : `another build into ${out}`,
    hint: "let it finish, or add --wait to wait for it",
    onWait: (m) => fx.log(m),
  });
}
