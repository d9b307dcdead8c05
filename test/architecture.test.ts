import { execFile } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
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

describe("imports point one way: cli → commands → chain → stages (in pipeline order) → core", () => {
  it("the sources have no cycle and no upward import", async () => {
    const r = await cruise(root);
    expect(r.out).toContain("no dependency violations found");
    expect(r.code).toBe(0);
  });
  // one copy of the sources with every planted mistake, cruised once: each must be reported by its own rule
  let planted: Promise<{ code: number; out: string }>;
  beforeAll(() => {
    planted = cruise(
      copyWith({
        "src/data/csv.ts": 'import "./flows.ts";\nimport "../email/compose.ts";',
        "src/data/flows.ts": 'import "./csv.ts";',
        "src/charts/theme.ts": 'import "../chain/pipeline.ts";',
        "src/html/assemble-html.ts": 'import "../commands/send.ts";',
        "src/chain/prepare.ts": 'import "../commands/batch/batch.ts";',
        "src/commands/geo.ts": 'import "../cli.ts";',
        "src/i18n/locale.ts": 'import "../narrative/summary.ts";',
      }),
    );
  });
  it("a planted cycle fails", async () => {
    const r = await planted;
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/error no-cycle: src\/data\/(csv|flows)\.ts/);
  });
  it("a planted upward import fails: a stage importing a later stage, the chain or a command, the chain a command, a command the CLI, or core a stage", async () => {
    const r = await planted;
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("error no-upward-import-from-data: src/data/csv.ts → src/email/compose.ts");
    expect(r.out).toContain("error stages-do-not-chain: src/charts/theme.ts → src/chain/pipeline.ts");
    expect(r.out).toContain("error stages-do-not-chain: src/html/assemble-html.ts → src/commands/send.ts");
    expect(r.out).toContain("error chain-below-commands: src/chain/prepare.ts → src/commands/batch/batch.ts");
    expect(r.out).toContain("error commands-below-cli: src/commands/geo.ts → src/cli.ts");
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
  it("chain/pipeline.ts numbers its steps as its diagram does, and every step appears in the chain (chain/, and step 9 in commands/build.ts)", () => {
    const text = readFileSync(join(root, "src/chain/pipeline.ts"), "utf8");
    const doc = text.slice(0, text.indexOf("*/"));
    const steps = [...doc.matchAll(/^ \*\s+(\d+) /gm)].map((m) => Number(m[1]));
    expect(steps.length).toBeGreaterThanOrEqual(9);
    // the chain's body: pipeline.ts, the steps 2–5 of one year it calls in prepare.ts, and the build command's step 9
    const body = [join(root, "src/chain/prepare.ts"), join(root, "src/commands/build.ts")].reduce(
      (b, f) => b + readFileSync(f, "utf8"),
      text.slice(doc.length),
    );
    for (const n of new Set(steps)) expect(body).toMatch(new RegExp(`// ${n}(?!\\d)`));
  });
});
