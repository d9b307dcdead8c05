/**
 * Steps 5–9 of the municipal batch for one area at a time (batch.ts streams the areas through it): its
 * editions rendered by `render`, their PDFs printed, its folder published atomically. The CLI runs it on a worker
 * thread (thread.ts); tests and other callers may run it on their own thread.
 */
import { createHash } from "node:crypto";
import { filesOf, render } from "../../chain/pipeline.ts";
import { type Prepared, planKeyOf, type RenderCache, templatesFor } from "../../chain/prepare.ts";
import type { BuildRequest } from "../../chain/types.ts";
import { planEditions } from "../../config/editions.ts";
import { loadConfig } from "../../config/read-config.ts";
import type { Config } from "../../config/schema.ts";
import type { Effects } from "../../effects.ts";
import { machineFault } from "../../errors/machine.ts";
import { BulletinError } from "../../errors/problem.ts";
import { boundaryReader } from "../../geo/read-boundaries.ts";
import type { TemplateSet } from "../../narrative/read-templates.ts";
import { editionFolder, KEEP_ON_REBUILD, publishFolder } from "../../publish/publish.ts";

const sha = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

/** A file of a published area (relative to its folder) and its sha256. */
export interface PublishedFile {
  path: string;
  sha256: string;
}

/** What the batch has read already, for an area builder on its thread. */
export interface Shared {
  config: Config;
  templates: TemplateSet;
  cache: RenderCache;
}

/** Steps 5–9 for one area at a time: `build` renders its editions, prints their PDFs, publishes its folder. */
export interface AreaBuilder {
  build(u: Prepared): Promise<PublishedFile[]>;
  close(): Promise<void>;
}

/**
 * The area builder of this thread. `shared` is what the batch has read already (config.yml, the templates, the
 * year's tables); a worker thread (worker.ts) reads them for itself.
 */
export async function areaBuilder(req: BuildRequest, fx: Effects, given?: Promise<Shared>): Promise<AreaBuilder> {
  const shared = await given;
  const config = shared?.config ?? (await loadConfig(req.configPath, fx));
  const cache: RenderCache = shared?.cache ?? { prepared: new Map(), years: new Map() };
  // what every area's render shares: config.yml, the boundary files, the templates
  cache.config = config;
  cache.boundaries = boundaryReader(config.data.dir, fx);
  cache.templates = shared?.templates ?? (await templatesFor(req, planEditions(config, req), fx));
  const outDir = req.outDir ?? config.output.dir;
  return {
    async build(u) {
      const editions = u.langs.map((lang) => ({ year: u.year, area: u.area.nis, lang }));
      const key = planKeyOf(planEditions(config, { editions }));
      cache.prepared.set(key, { prepared: [u], problems: [] }); // prepared by the batch: not computed again
      try {
        const built = await render({ ...req, editions, cache }, fx);
        const published: PublishedFile[] = [];
        for (const b of built.areas) {
          const files = filesOf(b, true);
          await publishFolder(
            fx,
            editionFolder({ outDir, region: config.geography.region }, b.year, b.area, "municipality"),
            files,
            KEEP_ON_REBUILD,
          ); // 9
          published.push(...files.map((f) => ({ path: f.path, sha256: sha(f.data) })));
        }
        return published;
      } finally {
        cache.prepared.delete(key);
      }
    },
    // on the caller's own thread it holds nothing that would keep the process alive
    async close() {},
  };
}

/** Why an area failed, as its manifest entry says it: the machine's fault, the problems, or the error's message. */
export function failureMessage(e: unknown): string {
  return (
    machineFault(e) ??
    (e instanceof BulletinError && e.problems.length
      ? e.problems.map((p) => p.message).join("; ")
      : (e as Error).message)
  );
}
