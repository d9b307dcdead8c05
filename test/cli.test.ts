import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { indicatorsOf, root } from "./helpers.ts";
import { copyOfRound, sharedRound } from "./shared-round.ts";

const run = promisify(execFile);
const bin = join(root, "src/bin.js");
async function cli(args: string[], cwd = root): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

/** A copy of the project's config and data in a temp folder, so a test can corrupt it. */
function sandbox(): string {
  const dir = mkdtempSync(join(tmpdir(), "bulletin-cli-"));
  cpSync(join(root, "data"), join(dir, "data"), {
    recursive: true,
    filter: (s) => !s.includes(`${join("data", "geo")}`),
  });
  cpSync(join(root, "config.yml"), join(dir, "config.yml"));
  return dir;
}

describe("bulletin CLI", () => {
  it("check exits 0 on the shipped data", async () => {
    const r = await cli(["check"]);
    expect(r.stderr).toContain("ok: the data, templates and notes of the 2024 edition pass every check");
    expect(r.code).toBe(0);
  });

  it("build writes DIR/<year>/indicators.json, for 2024 (HTML and PDF) and 2023 (HTML)", async () => {
    // 2024: `bulletin build --out DIR`, run once for the whole suite (test/global-setup.ts); 2023 into a copy of it
    const out = await copyOfRound("bulletin-out-");
    const r = await cli(["build", "--year", "2023", "--out", out, "--format", "html"]);
    expect(r.code, r.stderr).toBe(0);
    for (const year of ["2024", "2023"]) {
      const ind = JSON.parse(readFileSync(join(out, year, "indicators.json"), "utf8"));
      expect(ind.meta.year).toBe(Number(year));
    }
    // the command line's PDFs (the other tests print in-process)
    for (const lang of ["nl", "en"])
      expect(
        readFileSync(join(out, "2024", lang, "bulletin.pdf"))
          .subarray(0, 5)
          .toString(),
      ).toBe("%PDF-");
    // nothing but the published folders is left behind (no staging folders)
    expect(readdirSync(out).sort()).toEqual([".build.lock", "2023", "2024"]); // the lock of one build at a time stays, empty
    // the audit reads what was written: the region's edition hides what the round's pattern hides, and passes
    const file = join(out, "2024", "indicators.json");
    const audit = await cli(["audit", join(out, "2024")]);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stderr).toContain("ok: no hidden count can be narrowed");
    expect(JSON.parse(readFileSync(join(out, "2024", "disclosure.json"), "utf8")).rule.minCount).toBe(5);
    // one hidden count put back, as a careless hand would: the audit names it and its file
    const raw = await indicatorsOf(2024); // as computed, nothing hidden
    const published = JSON.parse(readFileSync(file, "utf8"));
    const row = published.municipalities.rows.findIndex((r: { immigration: number | null }) => r.immigration === null);
    const nis = published.municipalities.rows[row].nis;
    published.municipalities.rows[row].immigration = raw.municipalities.rows.find((r) => r.nis === nis)!.immigration;
    writeFileSync(file, JSON.stringify(published));
    const tampered = await cli(["audit", join(out, "2024")]);
    expect(tampered.code, tampered.stderr).toBe(1);
    expect(tampered.stderr).toMatch(new RegExp(`error: ${nis} 2022-2024 (immigration|emigration) T: `));
    expect(tampered.stderr).toContain(file);
    expect(tampered.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const none = await cli(["audit", join(out, "nothing")]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no such folder (give the folders a build wrote, e.g. output/2024)");
  });

  it("a corrupted file: exit 1, file and line named, previous output untouched", async () => {
    const dir = sandbox();
    const out = join(dir, "out");
    cpSync(await sharedRound(), out, { recursive: true }); // the published round, as the CLI built it
    const before = readFileSync(join(out, "2024", "indicators.json"));
    const mtime = statSync(join(out, "2024", "indicators.json")).mtimeMs;

    const f = join(dir, "data/flows/flows-2024.csv.gz");
    const lines = gunzipSync(readFileSync(f)).toString("utf8").split("\n");
    lines[41] = lines[41]!.replace(/,(\d+)$/, ",4x");
    writeFileSync(f, gzipSync(lines.join("\n")));

    const r = await cli(["build", "--format", "html", "--out", out], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "data/flows/flows-2024.csv.gz:42:7: error: `count` is not a non-negative integer: `4x` [not-integer]",
    );
    expect(r.stderr).toContain("nothing was written");
    expect(readFileSync(join(out, "2024", "indicators.json"))).toEqual(before);
    expect(statSync(join(out, "2024", "indicators.json")).mtimeMs).toBe(mtime);
    expect(readdirSync(out).filter((f) => !f.startsWith("."))).toEqual(["2024"]);
    expect((await cli(["check"], dir)).code).toBe(1);
  });

  it("check also finds a number typed into an editorial note's helper that names no indicator", async () => {
    const dir = sandbox();
    const cfg = readFileSync(join(dir, "config.yml"), "utf8").replace(
      "        municipalities: >-\n          Along",
      '        municipalities: >-\n          {{num "headline.immigrants"}} Along',
    );
    writeFileSync(join(dir, "config.yml"), cfg);
    const r = await cli(["check"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "config.yml: error: editions.2024.notes.en.municipalities: helper `num`: no indicator `headline.immigrants`",
    );
  });

  it.each([
    [["build", "--year", "24"], "a year has four digits"],
    [["frobnicate"], "unknown command"],
    [["build", "--lang", "fr"], "unknown language `fr`"],
    [["build", "--config", "nowhere.yml"], "cannot read the config file nowhere.yml"],
  ])("bad usage %j exits 2", async (args, text) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(text);
  });

  it("the compiled command carries no browser downloader: puppeteer's proxy stack (a PAC interpreter) is left out", () => {
    const dist = join(root, "dist");
    const code = readdirSync(dist)
      .filter((f) => f.endsWith(".js"))
      .map((f) => readFileSync(join(dist, f), "utf8"));
    expect(code.some((c) => c.includes("puppeteer.connect") || c.includes("browserWSEndpoint"))).toBe(true);
    for (const name of ["FindProxyForURL", "PacProxyAgent", "SocksProxyAgent"])
      expect(
        code.filter((c) => c.includes(name)),
        name,
      ).toEqual([]);
    expect(code.filter((c) => c.includes("does not download browsers"))).toHaveLength(1);
  });

  it("the compiled command carries zod's English messages only, and config.yml's errors still read in English", async () => {
    const dist = join(root, "dist");
    const code = readdirSync(dist)
      .filter((f) => f.endsWith(".js"))
      .map((f) => readFileSync(join(dist, f), "utf8"));
    expect(code.some((c) => c.includes("Invalid input"))).toBe(true);
    for (const phrase of ["Ungültige Eingabe", "Entrée invalide", "Ongeldige invoer"])
      expect(
        code.filter((c) => c.includes(phrase)),
        phrase,
      ).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), "bulletin-zod-"));
    writeFileSync(join(dir, "config.yml"), "year: 2024\nedition:\n  publishedd: 2024-05-01\n");
    const r = await cli(["check", "--config", join(dir, "config.yml")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/config\.yml:\d+:\d+: error: .*(unknown key|publishedd)/i);
  });

  it("--help lists the commands", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/check[\s\S]*build/);
  });
});
