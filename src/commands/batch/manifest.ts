/** The batch's manifest (what each area's edition is made from and which files it published) and its shards. */
import type { Lang } from "../../core/domain.ts";
import { BulletinError } from "../../errors/problem.ts";

export interface Shard {
  /** 1-based */
  index: number;
  count: number;
}

export interface ManifestEntry {
  year: number;
  area: string;
  name: string;
  langs: Lang[];
  /** the files of the area's folder, relative to the manifest's folder, with their sha256 */
  files: { path: string; sha256: string }[];
  /** sha256 of what the edition is made from: its indicators, the templates, config.yml and the program's version */
  inputHash: string;
  status: "built" | "failed";
  error?: string;
}

export interface Manifest {
  program: string;
  year: number;
  /** every area of the whole run (all shards): `manifest merge` reports those no part has */
  expected: string[];
  shard?: Shard;
  editions: ManifestEntry[];
}

/** The shard of this process: `--shard i/n`, else a Kubernetes Indexed Job or a CI matrix's environment. */
export function shardFrom(arg: string | undefined, env: NodeJS.ProcessEnv, shards?: number): Shard | undefined {
  if (arg) {
    const m = /^(\d+)\/(\d+)$/.exec(arg);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]))
      throw new BulletinError(`--shard ${arg}: write it as i/n with 1 ≤ i ≤ n, e.g. 2/3`, 2);
    return { index: Number(m[1]), count: Number(m[2]) };
  }
  // Kubernetes Indexed Job: JOB_COMPLETION_INDEX is 0-based; the number of completions comes with --shards
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    const count = shards ?? Number(env.BULLETIN_SHARDS);
    if (!count) throw new BulletinError("JOB_COMPLETION_INDEX is set: pass the Job's completions as --shards N", 2);
    return { index: Number(env.JOB_COMPLETION_INDEX) + 1, count };
  }
  // GitLab CI parallel jobs (and any matrix that sets them): 1-based
  if (env.CI_NODE_INDEX !== undefined && env.CI_NODE_TOTAL !== undefined)
    return { index: Number(env.CI_NODE_INDEX), count: Number(env.CI_NODE_TOTAL) };
  return undefined;
}

/** The areas of one shard: a deterministic share (every n-th of the sorted list). */
export const shardOf = <T>(units: T[], s: Shard | undefined) =>
  s ? units.filter((_, i) => i % s.count === s.index - 1) : units;
