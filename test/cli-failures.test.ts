import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { root } from "./helpers.ts";

/**
 * Every command × every way it can fail, as a new user meets them: the documented exit code (1 bad input, 2 bad
 * usage, 3 a renderer or delivery failure), a message that names what to fix, and never a stack trace.
 */
const run = promisify(execFile);
const bin = join(root, "src/bin.js");

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  try {
    const r = await run(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: "1", ...env } });
    return { code: 0, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stderr: string };
    return { code: x.code, err: x.stderr };
  }
}

/**
 * The same command through the command line's own entry (`main` of src/cli.ts: the table of commands, their
 * options, the error handler that turns a failure into a message and an exit code), in this process: in `cwd`, with
 * `env` added to the environment and stderr captured. What it cannot show is the process itself: the cases marked
 * `process` below run as `node src/bin.js`, one or more per exit code.
 */
async function inProcess(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const { main } = await import("../src/cli.ts");
  const saved = { cwd: process.cwd(), write: process.stderr.write, exitCode: process.exitCode };
  const savedEnv = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  let err = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    err += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    return true;
  }) as typeof process.stderr.write;
  Object.assign(process.env, env);
  process.chdir(cwd);
  process.exitCode = undefined;
  try {
    return { code: await main(args), err };
  } finally {
    process.chdir(saved.cwd);
    process.stderr.write = saved.write;
    process.exitCode = saved.exitCode;
    for (const [k, v] of Object.entries(savedEnv))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}

let good: string;
beforeAll(() => {
  // a project folder with a built-looking edition, so `send` gets as far as the SMTP server
  good = mkdtempSync(join(tmpdir(), "bulletin-fail-"));
  cpSync(join(root, "data"), join(good, "data"), { recursive: true, filter: (s) => !s.includes(join("data", "geo")) });
  const cfg = readFileSync(join(root, "config.yml"), "utf8").replace("  subscribers:", "  retries: 0\n  subscribers:");
  writeFileSync(join(good, "config.yml"), cfg);
  for (const lang of ["nl", "en"]) {
    const dir = join(good, "output", "2024", lang);
    mkdirSync(join(dir, "charts"), { recursive: true });
    writeFileSync(join(dir, "bulletin.pdf"), "%PDF-1.4 test");
    writeFileSync(join(dir, "charts", "headline.png"), "png");
    writeFileSync(
      join(dir, "summary.json"),
      JSON.stringify({ title: "T", headline: "H", published: "P", keyFigures: [] }),
    );
  }
  writeFileSync(join(good, "not.geojson"), "{ this is not json");
});

/** A copy of the good project with one change. */
function variant(change: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "bulletin-fail-"));
  cpSync(good, dir, { recursive: true });
  change(dir);
  return dir;
}
const missingConfig = () => variant((d) => rmSync(join(d, "config.yml")));
const badConfig = () =>
  variant((d) =>
    writeFileSync(
      join(d, "config.yml"),
      readFileSync(join(d, "config.yml"), "utf8").replace("languages:", "langauges:"),
    ),
  );
const missingData = () => variant((d) => rmSync(join(d, "data", "codes", "municipalities.csv")));
const badData = () =>
  variant((d) => {
    const f = join(d, "data", "flows", "flows-2024.csv.gz");
    const lines = gunzipSync(readFileSync(f)).toString("utf8").split("\n");
    lines[9] = lines[9]!.replace(/,(\d+)$/, ",-3");
    writeFileSync(f, gzipSync(lines.join("\n")));
  });

// a note's claim the data contradict: the 2020 dip turned into a rise
const falseClaim = () =>
  variant((d) =>
    writeFileSync(
      join(d, "config.yml"),
      readFileSync(join(d, "config.yml"), "utf8").replace(
        "series.2020.immigration < series.2021.immigration",
        "series.2020.immigration > series.2021.immigration",
      ),
    ),
  );

// a 2025 flow registered under the code of a municipality merged on 1 January 2025
const oldCode = () =>
  variant((d) => {
    const f = join(d, "data", "flows", "flows-2025.csv.gz");
    const text = gunzipSync(readFileSync(f))
      .toString("utf8")
      .replace(/^2025,23106,/m, "2025,23024,");
    writeFileSync(f, gzipSync(text));
  });

const GEO = ["geo", "import", "not.geojson"];
type Case = [
  name: string,
  args: string[],
  project: () => string,
  env: NodeJS.ProcessEnv,
  code: number,
  text: RegExp,
  how?: "process",
];
const cases: Case[] = [
  [
    "check: missing config",
    ["check"],
    missingConfig,
    {},
    2,
    /cannot read the config file config\.yml: pass --config PATH/,
    "process",
  ],
  ["build: missing config", ["build", "--format", "html"], missingConfig, {}, 2, /cannot read the config file/],
  ["send: missing config", ["send", "--dry-run"], missingConfig, {}, 2, /cannot read the config file/],
  ["geo import: missing config", GEO, missingConfig, {}, 2, /cannot read the config file/],
  [
    "check: bad config",
    ["check"],
    badConfig,
    {},
    1,
    /config\.yml:\d+:1: error: unknown key `langauges`[\s\S]*did you mean `languages`/,
  ],
  ["build: bad config", ["build", "--format", "html"], badConfig, {}, 1, /unknown key `langauges`/],
  ["send: bad config", ["send", "--dry-run"], badConfig, {}, 1, /unknown key `langauges`/],
  ["geo import: bad config", GEO, badConfig, {}, 1, /unknown key `langauges`/],
  ["check: missing data", ["check"], missingData, {}, 1, /data\/codes\/municipalities\.csv: error: file not found/],
  [
    "build: missing data",
    ["build", "--format", "html"],
    missingData,
    {},
    1,
    /municipalities\.csv: error: file not found/,
  ],
  ["geo import: missing data", GEO, missingData, {}, 1, /not JSON|municipalities\.csv/],
  ["check: bad data", ["check"], badData, {}, 1, /flows-2024\.csv\.gz:10:7: error: .*-3/],
  ["build: bad data", ["build", "--format", "html"], badData, {}, 1, /flows-2024\.csv\.gz:10:7/, "process"],
  // the municipal batch's render thread is started early: a batch that fails on its data must still exit at once
  [
    "build --area municipalities: bad data",
    ["build", "--area", "municipalities:38000", "--format", "html"],
    badData,
    {},
    1,
    /flows-2024\.csv\.gz:10:7/,
    "process",
  ],
  [
    "check: a 2025 flow under a merged municipality's code",
    ["check", "--year", "2025"],
    oldCode,
    {},
    1,
    /flows-2025\.csv\.gz:\d+:2: error: municipality 23024 Gooik no longer existed in 2025[\s\S]*hint: 23024 Gooik was merged into 23106 Pajottegem on 1 January 2025: register the 2025 figures under 23106/,
  ],
  [
    "check: a note the data contradict",
    ["check"],
    falseClaim,
    {},
    1,
    /config\.yml:\d+: error: editions\.2024\.notes\.claims\.headline\.7: the claim `series\.2020\.immigration > series\.2021\.immigration` does not hold: 67,934 is not above 77,748/,
  ],
  [
    "build: unknown area",
    ["build", "--area", "99999", "--format", "html"],
    () => good,
    {},
    1,
    /no area with NIS code `99999`/,
  ],
  [
    "build: the municipalities of a mistyped area",
    ["build", "--area", "municipalities:7300"],
    () => good,
    {},
    2,
    /`municipalities:7300` is not a NIS code: five digits, e.g. 02000 \(or `municipalities`: all of them\)/,
  ],
  [
    "build: area not a NIS code",
    ["build", "--area", "Leuven"],
    () => good,
    {},
    2,
    /`Leuven` is not a NIS code/,
    "process",
  ],
  ["geo import: not JSON", GEO, () => good, {}, 1, /not\.geojson:1:3: error: not a boundary file/],
  ["geo import: no such file", ["geo", "import", "nowhere.shp"], () => good, {}, 1, /nowhere\.shp/],
  [
    "build: missing browser",
    ["build", "--lang", "en"],
    () => good,
    { CHROMIUM_PATH: "/nonexistent/chromium" },
    1,
    /Chromium not found at \/nonexistent\/chromium: install it/,
    "process",
  ],
  [
    "send: no SMTP server configured",
    ["send"],
    () => good,
    { SMTP_URL: "", SMTP_HOST: "" },
    2,
    /no SMTP server: set SMTP_URL/,
  ],
  [
    "send: SMTP server down",
    ["send"],
    () => good,
    { SMTP_URL: "smtp://127.0.0.1:1" },
    3,
    /failed 5[\s\S]*ECONNREFUSED|failed 5/,
    "process",
  ],
  [
    "data import eurostat: a folder given as the file",
    ["data", "import", "eurostat", "data"],
    () => good,
    {},
    1,
    /error: data is a folder: give the path of a file in it/,
  ],
  [
    "data import eurostat: no such file",
    ["data", "import", "eurostat", "nowhere.csv"],
    () => good,
    {},
    1,
    /error: no such file or folder: nowhere\.csv: check the path/,
  ],
  [
    "data import statbel-population: UTF-16",
    ["data", "import", "statbel-population", "utf16/TF_SOC_POP_STRUCT_2030.txt"],
    () => {
      mkdirSync(join(good, "utf16"), { recursive: true });
      writeFileSync(join(good, "utf16", "TF_SOC_POP_STRUCT_2030.txt"), Buffer.from("\uFEFFCD_REFNIS|x\n", "utf16le"));
      return good;
    },
    {},
    1,
    /TF_SOC_POP_STRUCT_2030\.txt:1: error: cannot import: the file is UTF-16[\s\S]*re-save it as UTF-8/,
  ],
  [
    "build: a municipality merged before the edition's geography",
    ["build", "--year", "2025", "--area", "73040", "--format", "html"],
    () => good,
    {},
    2,
    /error: 73040 \(Kortessem\) merged into 71072 \(Hasselt\) on 1 January 2025: .*use --area 71072, or --year 2024 for Kortessem's own edition/,
  ],
  [
    "build: a municipality that exists only from a later year",
    ["build", "--year", "2024", "--area", "71072", "--format", "html"],
    () => good,
    {},
    2,
    /error: 71072 \(Hasselt\) exists from 1 January 2025: use --year 2025; in 2024 it was 71022 \(Hasselt\), 73040 \(Kortessem\)/,
  ],
  [
    "send: not built",
    ["send", "--year", "2023", "--dry-run"],
    () => good,
    {},
    1,
    /has not been built[\s\S]*run `npx bulletin build --year 2023` first/,
  ],
];

describe("every command × every failure: documented exit code, a message, no stack trace", () => {
  it.each(cases)("%s", async (_name, args, project, env, code, text, how) => {
    const r = await (how === "process" ? cli : inProcess)(args, project(), env);
    expect(r.err).toMatch(text);
    expect(r.code, r.err).toBe(code);
    expect(r.err).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // no stack frame
    expect(r.err).not.toContain("internal error");
  });
});

describe("one build at a time into an output folder", () => {
  it("a build while another holds the folder stops at once (exit 1, nothing written); with --wait it waits for it", async () => {
    const out = mkdtempSync(join(tmpdir(), "bulletin-locked-"));
    const { takeLock } = await import("../src/core/lock.ts");
    const lock = join(out, ".build.lock");
    const release = await takeLock({ path: lock, wait: false, holder: "this test", hint: "" });
    const args = ["build", "--area", "38000", "--format", "html", "--out", out];
    try {
      const r = await cli(args, root);
      expect(r.code, r.err).toBe(1);
      expect(r.err).toContain(`another build into ${out} is running (it holds the lock on ${lock})`);
      expect(r.err).toContain("add --wait");
      expect(r.err).not.toContain("internal error");
      expect(readdirSync(out)).toEqual([".build.lock"]);
      // a second build with --wait says it waits; the holder then lets go, and it builds
      const { spawn } = await import("node:child_process");
      const waiting = spawn(process.execPath, [bin, ...args, "--wait"], {
        cwd: root,
        stdio: ["ignore", "ignore", "pipe"],
      });
      let err = "";
      const told = new Promise<void>((resolve) =>
        waiting.stderr.on("data", (d) => {
          err += d;
          if (err.includes("waiting for another build into")) resolve();
        }),
      );
      await told;
      release();
      const code = await new Promise<number | null>((resolve) => waiting.on("exit", resolve));
      expect(code, err).toBe(0);
      expect(readdirSync(join(out, "2024", "areas"))).toEqual(["38000"]);
    } finally {
      release();
    }
  }, 120_000);
});

describe("faults of the machine are the user's to fix, with the path", () => {
  it("a build into a full disk (a 3 MB tmpfs): the path and the fix, exit 1, the earlier edition unchanged", async () => {
    const out = mkdtempSync(join(tmpdir(), "bulletin-full-"));
    // a small file system of its own (the tests run as root, as .ci/run does)
    await run("mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", out]);
    try {
      const first = await inProcess(["build", "--area", "38000", "--format", "html", "--out", out], root);
      expect(first.code, first.err).toBe(0);
      const before = readFileSync(join(out, "2024", "areas", "38000", "nl", "bulletin.html"));
      // the province's HTML edition (~2.5 MB) does not fit beside the arrondissement's (~2.4 MB)
      const r = await cli(["build", "--area", "10000", "--format", "html", "--out", out], root);
      expect(r.code, r.err).toBe(1);
      expect(r.err).toContain(`error: no space left on the device that holds ${join(out, "2024", "areas", "10000")}/`);
      expect(r.err).toContain(`\`df -h ${join(out, "2024", "areas")}\``);
      expect(r.err).toContain("nothing was published, earlier output is as it was");
      expect(r.err).not.toContain("internal error");
      expect(readdirSync(join(out, "2024", "areas"))).toEqual(["38000"]);
      expect(readFileSync(join(out, "2024", "areas", "38000", "nl", "bulletin.html")).equals(before)).toBe(true);
    } finally {
      await run("umount", [out]);
    }
  }, 120_000);

  it("a build into a read-only file system: named as such, exit 1", async () => {
    const ro = mkdtempSync(join(tmpdir(), "bulletin-ro-"));
    await run("mount", ["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", ro]);
    try {
      const r = await cli(["build", "--area", "38000", "--format", "html", "--out", join(ro, "out")], root);
      expect(r.code, r.err).toBe(1);
      expect(r.err).toContain(
        `error: ${join(ro, "out")} is on a read-only file system: write to a writable folder (--out DIR)`,
      );
    } finally {
      await run("umount", [ro]);
    }
  }, 60_000);
});
