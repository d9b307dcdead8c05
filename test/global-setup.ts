import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";

/*
 * One build shared by the tests that read the 2024 round as the CLI publishes it (both languages, HTML and PDF):
 * started once, as a process of the compiled CLI, while the first test files run. Its folder is given to every test
 * file (inject("round")); a test waits for it with sharedRound() (test/shared-round.ts) and copies it before it
 * changes anything in it.
 */
declare module "vitest" {
  export interface ProvidedContext {
    round: string;
  }
}

export default function setup(project: TestProject) {
  const root = resolve(import.meta.dirname, "..");
  const dir = mkdtempSync(join(tmpdir(), "bulletin-round-"));
  const out = join(dir, "out");
  const child = spawn(process.execPath, [join(root, "src/bin.js"), "build", "--out", out], {
    cwd: root,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  child.on("exit", (code, signal) => {
    // the marker says the build is over: `ok`, or how it failed (each waiting test fails with it)
    const ok = code === 0;
    writeFileSync(join(dir, ok ? "ok" : "failed"), ok ? "" : `exit ${code ?? signal}\n${stderr}`);
  });
  project.provide("round", dir);
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return async () => {
    // a run of a few files may end before the build: SIGTERM, which the build answers by closing its Chromium
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const late = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(late);
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
