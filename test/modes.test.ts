import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { root, shared } from "./helpers.ts";
import { modes, underUmask, wrong } from "./modes.ts";

/*
 * What is published gets the modes the user's umask gives (issue #28): a web server that runs as another user reads
 * the editions. The atomic publish renames a staging folder into place, so that folder's mode is the published
 * one. Each command runs as its own process under the umask, as a user or a scheduler would start it. The municipal
 * batch's shards, their merge and a resumed run are checked under umask 027 in test/batch.test.ts.
 */

const run = promisify(execFile);
const EUROSTAT = join(shared, "reference/eurostat-tps00176-sdmxcsv/estat_tps00176_en.csv");

/** `bulletin ARGS` under `umask`, in the project's folder. */
const bulletin = (umask: string, args: string[]) => run("sh", underUmask(umask, args), { cwd: root });

describe("published folders and files have the modes of the user's umask", () => {
  it("umask 022: an area's edition is 755 for folders and 644 for files", async () => {
    const out = mkdtempSync(join(tmpdir(), "modes-022-"));
    await bulletin("022", ["build", "--area", "38000", "--format", "html", "--out", out]);
    const m = modes(out);
    expect(m.get("2024/areas/38000/")).toBe("755");
    expect(m.get("2024/areas/38000/nl/bulletin.html")).toBe("644");
    expect(wrong(m, "755", "644")).toEqual([]);
  }, 120_000);

  it("umask 027: an importer's table is 640", async () => {
    const project = mkdtempSync(join(tmpdir(), "modes-027-"));
    cpSync(join(root, "data"), join(project, "data"), { recursive: true });
    const config = join(project, "config.yml");
    writeFileSync(
      config,
      readFileSync(join(root, "config.yml"), "utf8").replace("  dir: data", `  dir: ${project}/data`),
    );
    await bulletin("027", ["data", "import", "eurostat", "--config", config, EUROSTAT]);
    expect(modes(join(project, "data")).get("eu-comparison.csv")).toBe("640");
  }, 120_000);
});
