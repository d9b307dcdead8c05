/**
 * Step 4a of the chain: the suppression pattern of a round (disclosure/pattern.ts), the same for every edition of the
 * round whatever a build is asked for. A round is read with the rounds published before it (the years of
 * config.yml's `editions` up to it: their editions stay online), so the pattern of 2025 needs those of 2023 and 2024.
 *
 * The pattern is a function of the inputs alone: the flow tables of every year the rounds publish, the code lists,
 * the long series, the rule and the program's own code. It is kept under a sha256 of them (in `fx.cacheDir`, a
 * folder of the machine, never published) so that a build of one edition, a shard or a `--resume` computes nothing
 * another run has computed. The office's record of a round (`<out>/<year>/disclosure.json`: the rule, the hidden cells
 * and their markers, the hash) is written by the builds (publishRecord).
 */
import { createHash } from "node:crypto";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "../config/schema.ts";
import { gunzippedText } from "../data/gunzip.ts";
import { harmonise } from "../data/harmonise.ts";
import { type Datasets, flowFile, readDatasets } from "../data/read-datasets.ts";
import { cellsOf } from "../disclosure/cells.ts";
import { type RoundGeography, roundGeography } from "../disclosure/keys.ts";
import { type HiddenCell, type Pattern, roundPattern } from "../disclosure/pattern.ts";
import { categoriesOf, patternOf, type RoundData, roundData } from "../disclosure/round.ts";
import { buildSystem } from "../disclosure/system.ts";
import { findWitness } from "../disclosure/witness.ts";
import type { Effects } from "../effects.ts";
import { InputError } from "../errors/problem.ts";
import { computeIndicators } from "../indicators/compute-indicators.ts";
import { writeAtomic } from "../publish/publish.ts";
import { hashedCache } from "./hashed-cache.ts";

export interface RoundPattern {
  year: number;
  geo: RoundGeography;
  pattern: Pattern;
  /** sha256 of everything the pattern depends on */
  hash: string;
  /** computed now (false: read from the cache) */
  computed: boolean;
  ms: number;
}

/** The rounds a round is read with, oldest first, and itself: the editions of config.yml up to `year`. */
export const chainOf = (config: Config, year: number) =>
  [...new Set([...Object.keys(config.editions).map(Number), year])].filter((y) => y <= year).sort((a, b) => a - b);

/** The folders of the program whose code decides the pattern: the indicators, the cells, the system, the witnesses. */
const PROGRAM = ["src/indicators", "src/disclosure", "src/data"];
let program: Promise<string> | undefined;
/**
 * The program's own part in the pattern: the source of the code that makes the cells, the system and the witnesses,
 * read from the project (the same for the compiled dist/ and the TypeScript sources, so a command and a test share
 * the cache); without the sources at hand, the code itself.
 */
export function programHash(fx: Effects): Promise<string> {
  program ??= (async () => {
    const h = createHash("sha256");
    try {
      let root = dirname(fileURLToPath(import.meta.url));
      while (!(await fx.exists(join(root, "package.json"))) && dirname(root) !== root) root = dirname(root);
      let n = 0;
      for (const dir of PROGRAM)
        for (const f of (await fx.list(join(root, dir))).filter((n) => n.endsWith(".ts")).sort()) {
          h.update(f).update(await fx.readFile(join(root, dir, f)));
          n++;
        }
      if (!n) throw new Error("no sources");
    } catch {
      h.update([roundPattern, findWitness, buildSystem, cellsOf, computeIndicators, roundData].map(String).join("\n"));
    }
    return h.digest("hex");
  })();
  return program;
}

/** The hash of one round's inputs, chained to the rounds before it. */
export async function roundHash(config: Config, year: number, before: string, fx: Effects): Promise<string> {
  const h = createHash("sha256")
    .update(before)
    .update(await programHash(fx));
  const geography = config.editions[String(year)]?.geography ?? year;
  h.update(
    JSON.stringify({
      year,
      geography,
      region: config.geography.region,
      rule: config.disclosure,
      period: config.municipalPeriod,
      components: config.componentsYears,
    }),
  );
  const files = [
    ...Array.from({ length: config.componentsYears }, (_, i) => flowFile(config, year - i)),
    ...(
      ["municipalities", "crosswalk", "areas", "nationalities", "components", "longSeries", "population"] as const
    ).map((t) => join(config.data.dir, config.data[t])),
  ];
  for (const f of files) {
    // the table's name, not where the project lies: a copy of the project is the same round
    h.update(relative(config.data.dir, f));
    h.update(normalisedDigest(await fx.readFile(f).catch(() => Buffer.from("(missing)"))));
  }
  return h.digest("hex");
}

/**
 * The sha256 of a table's normalised text, kept by the sha1 of its bytes for this process: the rounds of a build
 * chain the same files (a 2024 build hashes the rounds 2023 and 2024, which share most tables): ~120 → ~50 ms a build.
 */
const digests = new Map<string, Buffer>();
function normalisedDigest(b: Buffer): Buffer {
  const key = createHash("sha1").update(b).digest("hex");
  const known = digests.get(key);
  if (known) return known;
  const text = normalised(gunzippedText(b, key));
  const d = createHash("sha256").update(text).digest();
  if (digests.size >= 256) digests.clear(); // a long process (serve) sees new versions of the tables: a bound
  digests.set(key, d);
  return d;
}

/** A table's text (gunzipped) as the readers see it: without a byte-order mark, with LF line ends (a table re-saved
 * with a BOM or CRLF, or compressed again, is the same table and keeps its pattern). */
function normalised(text: Buffer): Buffer {
  // on the bytes, as the string's were (decoding megabytes of flows and encoding them again cost ~0.15 s a build)
  const body = text[0] === 0xef && text[1] === 0xbb && text[2] === 0xbf ? text.subarray(3) : text;
  if (!body.includes(0x0d)) return body;
  return Buffer.from(body.toString("utf8").replace(/\r\n/g, "\n"), "utf8");
}

interface Cached {
  year: number;
  hash: string;
  minCount: number;
  hidden: [string, HiddenCell][];
  stats: Pattern["stats"];
}

/** A year's tables as the round needs them: as read, and on the round's municipalities. */
export interface YearTables {
  raw: Datasets;
  harmonised: Datasets;
}

/**
 * The pattern of round `year` (see the top of this file). `tables` gives the tables of a year already read (the
 * build's own year); the others are read here. Throws an InputError when a round cannot be protected.
 */
export async function roundPatternFor(
  config: Config,
  year: number,
  fx: Effects,
  o: { tables?: Map<number, YearTables>; memo?: Map<string, RoundPattern> } = {},
): Promise<RoundPattern> {
  const t0 = performance.now();
  const chain = chainOf(config, year);
  const region = config.geography.region;
  const hashes: string[] = [];
  for (const y of chain) hashes.push(await roundHash(config, y, hashes.at(-1) ?? "", fx));
  const codes = async (y: number) => (await tablesOf(y)).raw;
  const tables = o.tables ?? new Map<number, YearTables>();
  const tablesOf = async (y: number): Promise<YearTables> => {
    let t = tables.get(y);
    if (!t) {
      const read = await readDatasets(config, y, fx);
      const errors = read.problems.filter((p) => p.severity === "error");
      if (errors.length)
        throw new InputError(`the tables of ${y}, which the ${year} edition is read with, have problems`, errors);
      const geography = config.editions[String(y)]?.geography ?? y;
      t = { raw: read.datasets, harmonised: harmonise(read.datasets, geography).datasets };
      tables.set(y, t);
    }
    return t;
  };
  const cache = patternCache(fx, o.memo);
  // the last round whose pattern is not cached, and every round after it, are computed; the earlier ones are read
  const patterns: (Pattern | undefined)[] = [];
  for (const [i, y] of chain.entries()) patterns.push(await cache.read(y, hashes[i]!));
  const geoOf = async (y: number) =>
    roundGeography(await codes(y), {
      year: y,
      geography: config.editions[String(y)]?.geography ?? y,
      region,
    });
  let computed = false;
  if (!patterns.at(-1)) {
    const before: { data: RoundData; pattern: Pattern }[] = [];
    for (const [i, y] of chain.entries()) {
      const t = await tablesOf(y);
      const data = roundDataOf(config, y, t);
      patterns[i] ??= await cache.make(y, hashes[i]!, () => protectedPattern(y, data, before, t, config));
      before.push({ data, pattern: patterns[i] });
    }
    computed = true;
  }
  const result: RoundPattern = {
    year,
    geo: await geoOf(year),
    pattern: patterns.at(-1)!,
    hash: hashes.at(-1)!,
    computed,
    ms: performance.now() - t0,
  };
  o.memo?.set(result.hash, result);
  return result;
}

/** The patterns computed before, by their inputs' hash: in this process (`memo`) and in the machine's cache. */
function patternCache(fx: Effects, memo: Map<string, RoundPattern> | undefined) {
  const files = (y: number) => hashedCache<Cached>(fx, (hash) => `round-${y}-${hash.slice(0, 32)}.json`);
  const pattern = (c: Cached): Pattern => ({ minCount: c.minCount, hidden: new Map(c.hidden), stats: c.stats });
  return {
    async read(y: number, hash: string): Promise<Pattern | undefined> {
      const m = memo?.get(hash);
      if (m) return m.pattern;
      const c = await files(y).read(hash);
      return c && pattern(c);
    },
    /** computed by one process at a time: a process that waited reads what the other computed */
    async make(y: number, hash: string, compute: () => Promise<Pattern>): Promise<Pattern> {
      const c = await files(y).once(hash, `round-${y}.lock`, `the ${y} round's disclosure pattern`, async () => {
        const { minCount, hidden, stats } = await compute();
        return { year: y, hash, minCount, hidden: [...hidden], stats };
      });
      return pattern(c);
    },
  };
}

/** The cells of round `y` and their true values, from its tables. */
function roundDataOf(config: Config, y: number, t: YearTables): RoundData {
  return roundData(
    t.harmonised,
    {
      year: y,
      region: config.geography.region,
      geography: config.editions[String(y)]?.geography ?? y,
      periodYears: config.municipalPeriod.years,
      synthetic: config.synthetic,
      rule: config.disclosure,
    },
    t.raw,
  );
}

/** The pattern of one round read with the rounds before it; an InputError when a hidden count cannot be protected. */
async function protectedPattern(
  y: number,
  data: RoundData,
  before: { data: RoundData; pattern: Pattern }[],
  t: YearTables,
  config: Config,
) {
  const pattern = await patternOf(data, before, categoriesOf(t.raw), config.disclosure);
  const u = pattern.stats.unprotected;
  if (u.length)
    throw new InputError(
      `the ${y} round cannot be protected: no other table keeps ${u.length} hidden count(s) from being worked out (${u.slice(0, 3).join("; ")}); report this with the data`,
    );
  return pattern;
}

/** The office's record of a round: the rule, every hidden cell with the marker it is shown with, the inputs' hash. */
export function recordOf(r: RoundPattern): string {
  const cells = [...r.pattern.hidden]
    .map(([key, h]) => ({
      key,
      shown: (h.shown ?? h.kind) === "primary" ? `<${r.pattern.minCount}` : "x",
      ...(h.kind === "withheld" ? { withheld: true } : {}),
    }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  return `${JSON.stringify(
    {
      year: r.year,
      rule: {
        minCount: r.pattern.minCount,
        promise: `no hidden count can be worked out from everything the rounds up to ${r.year} publish; "<${r.pattern.minCount}" keeps every value from 1 to ${r.pattern.minCount - 1}, "x" at least two values, one of them ${r.pattern.minCount} or more`,
      },
      inputs: r.hash,
      stats: {
        shownSmall: cells.filter((c) => c.shown !== "x").length,
        shownX: cells.filter((c) => c.shown === "x").length,
      },
      cells,
    },
    null,
    1,
  )}\n`;
}

/** Writes each round's record to `<out>/<year>/disclosure.json` (atomically; a record with the same bytes is left
 * as it is). */
export async function publishRecords(built: { rounds: Map<number, RoundPattern> }, outDir: string, fx: Effects) {
  for (const [year, r] of built.rounds) {
    const file = join(outDir, String(year), "disclosure.json");
    const text = recordOf(r);
    const old = await fx.readFile(file).catch(() => undefined);
    if (old?.toString("utf8") !== text) await writeAtomic(fx, file, text);
  }
}
