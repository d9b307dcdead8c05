/**
 * `bulletin build` and `bulletin check`: the chain (chain/pipeline.ts renders steps 1–8) and step 9, publishing each
 * area's folder atomically; `check` runs steps 1–5 and writes nothing.
 */

import { filesOf, render } from "../chain/pipeline.ts";
import { narrate, prepareYear, templatesFor } from "../chain/prepare.ts";
import { publishRecords } from "../chain/round.ts";
import type { BuildRequest, Built } from "../chain/types.ts";
import { planEditions } from "../config/editions.ts";
import { loadConfig } from "../config/read-config.ts";
import { timed } from "../core/timing.ts";
import type { Effects } from "../effects.ts";
import { InputError, type Problem } from "../errors/problem.ts";
import { boundaryReader } from "../geo/read-boundaries.ts";
import { KEEP_ON_REBUILD, publishFolder } from "../publish/publish.ts";

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
  return { problems: out.problems, years: [...plan.keys()] };
}

/** The whole build: render every edition (steps 1–8), then publish each area's folder atomically (step 9). */
export async function build(req: BuildRequest, fx: Effects): Promise<Built> {
  const t0 = performance.now();
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
