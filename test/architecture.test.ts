import { execFile } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { root } from "./helpers.ts";

const run = promisify(execFile);
const depcruise = join(root, "node_modules", ".bin", "depcruise");

/** dependency-cruiser over `src/` of `dir`, with the project's rules: exit code and report. */
async function cruise(dir: string): Promise<{ code: number; out: string }> {
  try {
    const r = await run(depcruise, ["src", "--config", ".dependency-cruiser.cjs"], { cwd: dir });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout + x.stderr };
  }
}

/** A copy of the sources in a temp folder, with `plant` appended to files (path → line). */
function copyWith(plant: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "bulletin-deps-"));
  for (const f of ["src", "tsconfig.json", "package.json", ".dependency-cruiser.cjs"])
    cpSync(join(root, f), join(dir, f), { recursive: true });
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  for (const [file, line] of Object.entries(plant)) appendFileSync(join(dir, file), `\n${line}\n`);
  return dir;
}

describe("imports point one way: cli → pipeline → stages (in pipeline order) → core", () => {
  it("the sources have no cycle and no upward import", async () => {
    const r = await cruise(root);
    expect(r.out).toContain("no dependency violations found");
    expect(r.code).toBe(0);
  });
  it("a planted cycle fails", async () => {
    const r = await cruise(
      copyWith({ "src/data/csv.ts": 'import "./flows.ts";', "src/data/flows.ts": 'import "./csv.ts";' }),
    );
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/error no-cycle: src\/data\/(csv|flows)\.ts/);
  });
  it("a planted upward import fails: a stage importing a later stage, the pipeline, or core importing a stage", async () => {
    const r = await cruise(
      copyWith({
        "src/data/csv.ts": 'import "../email/compose.ts";',
        "src/charts/theme.ts": 'import "../pipeline.ts";',
        "src/i18n/locale.ts": 'import "../narrative/summary.ts";',
      }),
    );
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("error no-upward-import-from-data: src/data/csv.ts → src/email/compose.ts");
    expect(r.out).toContain("error stages-do-not-chain: src/charts/theme.ts → src/pipeline.ts");
    expect(r.out).toContain("error core-stays-core: src/i18n/locale.ts → src/narrative/summary.ts");
  });
});

describe("the code reads as its diagram", () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
    );
  it("no stage file over 300 lines without a reason written at its top", () => {
    const long = files(join(root, "src"))
      .filter((f) => !f.includes("/tools/"))
      .map((f) => ({ f: f.slice(root.length + 1), text: readFileSync(f, "utf8") }))
      .filter(({ text }) => text.split("\n").length > 300)
      .filter(({ text }) => !/^[\s\S]{0,3000}?Why (it is )?one file:/m.test(text.slice(0, 3000)));
    expect(long.map((l) => l.f)).toEqual([]);
  });
  it("pipeline.ts numbers its steps as its diagram does, and every step appears in the chain (pipeline.ts, pipeline-prepare.ts)", () => {
    const text = readFileSync(join(root, "src/pipeline.ts"), "utf8");
    const doc = text.slice(0, text.indexOf("*/"));
    const steps = [...doc.matchAll(/^ \*\s+(\d+) /gm)].map((m) => Number(m[1]));
    expect(steps.length).toBeGreaterThanOrEqual(9);
    // the chain's body: pipeline.ts and the steps 2–5 of one year it calls in pipeline-prepare.ts
    const body = text.slice(doc.length) + readFileSync(join(root, "src/pipeline-prepare.ts"), "utf8");
    for (const n of new Set(steps)) expect(body).toMatch(new RegExp(`// ${n}(?!\\d)`));
  });
});
