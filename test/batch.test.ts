import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { buildBatch } from "../src/commands/batch/batch.ts";
import { configPath, overlayEffects, root } from "./helpers.ts";
import { modes, underUmask, wrong } from "./modes.ts";

/*
 * The municipal batch as processes (its editions' contents: test/municipal.test.ts): one unsharded run, killed
 * half-way and resumed; two shards merged into the same set; the same areas on the caller's own thread.
 */

const run = promisify(execFile);
const bin = join(root, "src/bin.js");
/** `bulletin ARGS` under umask 027, in the project's folder, as a scheduler would start it (issue #28). */
const under027 = (args: string[]) => run("sh", underUmask("027", args), { cwd: root });
/** Every file of a folder with its bytes (for comparing runs). */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p).toString("base64"));
    }
  };
  walk(dir);
  return out;
}

describe("the batch: shards and resume (the 5 municipalities of the arrondissement of Veurne, HTML)", () => {
  const args = (out: string) => ["build", "--area", "municipalities:38000", "--format", "html", "--out", out];

  // one unsharded run of the CLI, killed (SIGKILL) once its first area is published and resumed, both under umask
  // 027: the run the kill-and-resume test looks at, and the set the shards and the caller's own thread are compared
  // with (a resumed run publishes the same files as one that was never stopped)
  let one: string;
  let builtBefore: number;
  let resumed: { stderr: string };
  beforeAll(async () => {
    one = mkdtempSync(join(tmpdir(), "batch-one-"));
    const manifest = join(one, "2024", "municipalities", "manifest.json");
    const child = spawn("sh", underUmask("027", args(one)), {
      cwd: root,
      stdio: "ignore",
    });
    builtBefore = await new Promise<number>((resolve) => {
      const t = setInterval(() => {
        if (!existsSync(manifest)) return;
        const n = JSON.parse(readFileSync(manifest, "utf8")).editions.length;
        if (n > 0) {
          clearInterval(t);
          child.kill("SIGKILL");
          resolve(n);
        }
      }, 20);
    });
    await new Promise((r) => child.once("exit", r));
    resumed = await under027([...args(one), "--resume"]);
  }, 240_000);

  it("a run killed half-way and resumed rebuilds only what was not published", () => {
    expect(builtBefore).toBeLessThan(5);
    const m = /(\d+) areas built, (\d+) unchanged/.exec(resumed.stderr)!;
    expect(Number(m[2])).toBeGreaterThanOrEqual(builtBefore);
    expect(Number(m[1]) + Number(m[2])).toBe(5);
    const manifest = join(one, "2024", "municipalities", "manifest.json");
    expect(
      JSON.parse(readFileSync(manifest, "utf8")).editions.filter((e: { status: string }) => e.status === "built"),
    ).toHaveLength(5);
    expect(wrong(modes(join(one, "2024", "municipalities")), "750", "640")).toEqual([]); // the runs' umask
  });

  it("two shards (3 and 2 areas) as separate processes, merged, give the same set as one unsharded run", async () => {
    const sharded = mkdtempSync(join(tmpdir(), "batch-shards-"));
    // the year's folder is audited after the batch, its editions read together (README § Confidentiality)
    expect(resumed.stderr).toMatch(
      new RegExp(`audit ${join(one, "2024")}: ok, 5 editions read together, \\d+ hidden counts protected`),
    );
    expect(resumed.stderr).not.toContain("not safe to publish");
    // the region, the province and the arrondissement beside their municipalities: one pattern, and the audit of the
    // whole folder passes (a reader subtracting the municipalities from the areas learns nothing hidden)
    const record = readFileSync(join(one, "2024", "disclosure.json"), "utf8");
    const areas = await run(
      process.execPath,
      [bin, "build", "--area", "02000,30000,38000", "--format", "html", "--out", one],
      {
        cwd: root,
      },
    );
    expect(areas.stderr).toMatch(
      new RegExp(`audit ${join(one, "2024")}: ok, 8 editions read together, \\d+ hidden counts protected`),
    );
    expect(readFileSync(join(one, "2024", "disclosure.json"), "utf8")).toBe(record);
    // the shards and their merge run under umask 027 (a group may read, others not): what they publish has its modes
    await Promise.all([1, 2].map((i) => under027([...args(sharded), "--shard", `${i}/2`])));
    const dir = join(sharded, "2024", "municipalities");
    const merged = await under027(["manifest", "merge", dir]);
    expect(merged.stderr).toContain("5 editions");
    const a = JSON.parse(readFileSync(join(one, "2024", "municipalities", "manifest.json"), "utf8"));
    const b = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    expect(
      b.editions.map((e: { area: string; files: unknown; inputHash: string }) => [e.area, e.files, e.inputHash]),
    ).toEqual(
      a.editions.map((e: { area: string; files: unknown; inputHash: string }) => [e.area, e.files, e.inputHash]),
    );
    const ta = tree(join(one, "2024", "municipalities"));
    const tb = tree(dir);
    for (const [f, bytes] of ta) if (/^\d{5}\//.test(f)) expect(tb.get(f), f).toBe(bytes);
    expect([...ta.keys()].filter((f) => f.endsWith(".png"))).toEqual([]); // municipal editions: no PNG by default
    expect(existsSync(join(dir, "index.nl.html"))).toBe(true);
    const m = modes(sharded);
    expect(m.get("2024/municipalities/38002/")).toBe("750");
    expect(m.get("2024/municipalities/manifest.json")).toBe("640");
    expect(wrong(m, "750", "640")).toEqual([]);
  }, 240_000);

  it("the batch on the caller's own thread (buildBatch without a render thread) publishes the same files as the CLI's", async () => {
    const own = mkdtempSync(join(tmpdir(), "batch-own-"));
    const r = await buildBatch(
      { configPath, areas: ["municipalities:38000"], formats: ["html"], outDir: own },
      overlayEffects(),
    );
    expect(r.built).toBe(5);
    const a = tree(join(one, "2024", "municipalities"));
    const b = tree(join(own, "2024", "municipalities"));
    // what the killed run was writing when it stopped is left, unpublished: the staging folder of an area (a dot
    // folder, in no manifest) or a manifest's temporary file (manifest.json.tmp-PID, never renamed into place)
    const published = (t: Map<string, string>) =>
      [...t.keys()].filter((f) => !f.startsWith(".staging-") && !/\.tmp-\d+$/.test(f)).sort();
    expect(published(b)).toEqual(published(a));
    for (const [f, bytes] of a) if (/^\d{5}\//.test(f)) expect(b.get(f), f).toBe(bytes);
  }, 120_000);
});

describe("the batch's process", () => {
  it("runs every thread, and a thread started after, at a lower priority than Chromium", async () => {
    // in a process of its own: the priority is the whole process's
    const niceOf = `const { readdirSync, readFileSync } = await import("node:fs");
      const nices = () => readdirSync("/proc/self/task").map((t) => Number(readFileSync(\`/proc/self/task/\${t}/stat\`, "utf8").split(") ")[1].split(" ")[16]));`;
    const script = `${niceOf}
      const before = nices();
      const { yieldToChromium } = await import("./src/commands/batch/thread.ts");
      yieldToChromium();
      const { Worker } = await import("node:worker_threads");
      const w = new Worker("setTimeout(() => {}, 500)", { eval: true });
      await new Promise((r) => w.once("online", r));
      console.log(JSON.stringify({ before, after: nices() }));
      await w.terminate();`;
    const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: root,
    });
    const { before, after } = JSON.parse(stdout) as { before: number[]; after: number[] };
    expect(after.length).toBeGreaterThan(before.length); // the worker's threads are there
    // at least 5 (a test run started at a lower priority already keeps its own)
    expect(after.every((n, i) => n >= 5 && n >= (before[i] ?? 0))).toBe(true);
  });
});
