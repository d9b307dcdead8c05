/**
 * `bulletin build --area municipalities[:NIS]` as the command line runs it: the batch (batch.ts) on a render thread
 * (thread.ts), a progress bar on a terminal and a line per area elsewhere, the report, and the audit of the year's
 * folder when it is done.
 */
import { dirname } from "node:path";
import type { Format } from "../../chain/types.ts";
import type { Lang } from "../../core/domain.ts";
import type { Effects } from "../../effects.ts";
import { ExitCode } from "../../errors/problem.ts";
import { auditAfterBuild } from "../audit.ts";
import { buildBatch } from "./batch.ts";
import { shardFrom } from "./manifest.ts";

/** `build --area municipalities`: the batch, with a progress bar on a terminal and plain lines elsewhere. */
export async function runBatch(
  o: {
    config: string;
    all: string;
    year?: number;
    out?: string;
    lang?: Lang[];
    format: Format[];
    resume?: boolean;
    shard?: string;
    shards?: number;
  },
  fx: Effects,
) {
  const { threadedAreaBuilder } = await import("./thread.ts");
  const shard = shardFrom(o.shard, process.env, o.shards);
  const tty = process.stderr.isTTY === true;
  const { default: progress } = await import("cli-progress");
  const bar = tty
    ? new progress.SingleBar(
        {
          format: "{bar} {value}/{total} editions · {rate}/s · {eta_formatted} left · {failed} failed",
          stream: process.stderr,
        },
        progress.Presets.shades_classic,
      )
    : undefined;
  const t0 = performance.now();
  let started = false;
  const r = await buildBatch(
    {
      ...{
        configPath: o.config,
        year: o.year,
        areas: [o.all],
        outDir: o.out,
        langs: o.lang,
        formats: o.format,
      },
      ...(o.resume ? { resume: true } : {}),
      ...(shard ? { shard } : {}),
    },
    fx,
    (done, total, failed) => {
      const rate = (done / Math.max(1, (performance.now() - t0) / 1000)).toFixed(1);
      if (bar) {
        if (!started) bar.start(total, done, { failed, rate });
        else bar.update(done, { failed, rate });
        started = true;
      } else process.stderr.write(`${done}/${total} editions (${rate}/s, ${failed} failed)\n`);
    },
    { builder: threadedAreaBuilder },
  );
  bar?.stop();
  for (const f of r.failed) process.stderr.write(`failed: ${f.area} ${f.name}: ${f.error}\n`);
  process.stderr.write(
    `${r.built} areas built, ${r.skipped} unchanged (--resume), ${r.failed.length} failed${shard ? ` (shard ${shard.index}/${shard.count})` : ""}; manifest ${r.manifestPath}\n`,
  );
  if (r.failed.length) process.exitCode = ExitCode.badInput;
  else if (r.built) await auditAfterBuild([dirname(dirname(r.manifestPath))], o.config, fx);
}
