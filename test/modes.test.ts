import { execFile } from "node:child_process";
import { cpSync, lstatSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { root, shared } from "./helpers.ts";

/*
 * What is published gets the modes the user's umask gives (issue #28): a web server that runs as another user reads
 * the editions. The atomic publish renames a staging folder into place, so that folder's mode is the published
 * one. Each command runs as its own process under the umask, as a user or a scheduler would start it.
 */

const run = promisify(execFile);
const bin = join(root, "src/bin.js");
const EUROSTAT = join(shared, "reference/eurostat-tps00176-sdmxcsv/estat_tps00176_en.csv");

/** `bulletin ARGS` under `umask`, in the project's folder. */
const bulletin = (umask: string, args: string[]) =>
  run("sh", ["-c", `umask ${umask} && exec "$@"`, "sh", process.execPath, bin, ...args], { cwd: root });

/** Every path under `dir` with its permission bits (octal), folders marked with a slash. */
function modes(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      const rel = relative(dir, p);
      out.set(st.isDirectory() ? `${rel}/` : rel, (st.mode & 0o777).toString(8));
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** The paths whose mode is not the one expected (folders `dirMode`, files `fileMode`). */
const wrong = (m: Map<string, string>, dirMode: string, fileMode: string) =>
  [...m].filter(([p, mode]) => mode !== (p.endsWith("/") ? dirMode : fileMode));

describe("published folders and files have the modes of the user's umask", () => {
  it("umask 022: an area's edition is 755 for folders and 644 for files", async () => {
    const out = mkdtempSync(join(tmpdir(), "modes-022-"));
    await bulletin("022", ["build", "--area", "38000", "--format", "html", "--out", out]);
    const m = modes(out);
    expect(m.get("2024/areas/38000/")).toBe("755");
    expect(m.get("2024/areas/38000/nl/bulletin.html")).toBe("644");
    expect(wrong(m, "755", "644")).toEqual([]);
  }, 120_000);

  it("umask 027: shards, their merge, a resumed batch and an importer give 750 and 640", async () => {
    const project = mkdtempSync(join(tmpdir(), "modes-027-"));
    cpSync(join(root, "data"), join(project, "data"), { recursive: true });
    const config = join(project, "config.yml");
    writeFileSync(
      config,
      readFileSync(join(root, "config.yml"), "utf8").replace("  dir: data", `  dir: ${project}/data`),
    );
    const out = join(project, "out");
    const batch = ["build", "--config", config, "--area", "municipalities:38000", "--format", "html", "--out", out];
    await Promise.all([1, 2].map((i) => bulletin("027", [...batch, "--shard", `${i}/2`])));
    await bulletin("027", ["manifest", "merge", join(out, "2024", "municipalities")]);
    const resumed = await bulletin("027", [...batch, "--resume"]);
    expect(resumed.stderr).toMatch(/0 areas built, 5 unchanged/);
    await bulletin("027", ["data", "import", "eurostat", "--config", config, EUROSTAT]);
    const m = modes(out);
    expect(m.get("2024/municipalities/38002/")).toBe("750");
    expect(m.get("2024/municipalities/manifest.json")).toBe("640");
    expect(wrong(m, "750", "640")).toEqual([]);
    expect(modes(join(project, "data")).get("eu-comparison.csv")).toBe("640");
  }, 240_000);
});
