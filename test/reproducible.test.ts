import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Built, build } from "../src/commands/build.ts";
import type { Effects } from "../src/effects.ts";
import { configPath, overlayEffects } from "./helpers.ts";
import { copyOfRound } from "./shared-round.ts";

/** The same inputs and program give the same bytes, PDFs included; a rebuild that changes nothing says so. */
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]))
    .sort();

let fx: Effects;
let a: string;
const b = mkdtempSync(join(tmpdir(), "bulletin-repro-b-"));
let again: Built;
beforeAll(async () => {
  // a: the round the CLI built in a process of its own (test/shared-round.ts); b: built here, in this process
  a = await copyOfRound("bulletin-repro-a-");
  fx = overlayEffects(); // the browser of this test process (test/helpers.ts)
  await build({ configPath, outDir: b }, fx);
}, 120_000);
afterAll(() => fx.close());

describe("reproducible output", () => {
  it("two builds of the same inputs (one by the CLI, one in another process) give identical bytes for every file of both editions", () => {
    const list = files(join(a, "2024"));
    expect(list).toEqual(files(join(b, "2024")));
    expect(list.filter((f) => f.endsWith(".pdf"))).toEqual(["en/bulletin.pdf", "nl/bulletin.pdf"]);
    expect(list.length).toBeGreaterThan(60);
    // a difference is shown by its first differing byte and the bytes around it
    const differ = list.flatMap((f) => {
      const x = readFileSync(join(a, "2024", f));
      const y = readFileSync(join(b, "2024", f));
      if (x.equals(y)) return [];
      let i = 0;
      while (i < Math.min(x.length, y.length) && x[i] === y[i]) i++;
      const around = (z: Buffer) => JSON.stringify(z.subarray(Math.max(0, i - 80), i + 80).toString("latin1"));
      return [`${f} (${x.length} vs ${y.length} bytes) first differs at ${i}: ${around(x)} vs ${around(y)}`];
    });
    expect(differ).toEqual([]);
  });

  it("the PDFs state the edition's publication date, not the time they were printed", () => {
    const pdf = readFileSync(join(a, "2024", "en", "bulletin.pdf"), "latin1");
    expect(pdf).toContain("/CreationDate (D:20250715000000+00'00')");
    expect(pdf).toContain("/ModDate (D:20250715000000+00'00')");
    expect(pdf).not.toMatch(/D:20(?!250715000000)\d{12}/);
  });

  it("a rebuild that changes nothing says so and leaves the published files as they are", async () => {
    const mtimes = files(join(a, "2024")).map((f) => statSync(join(a, "2024", f)).mtimeMs);
    again = await build({ configPath, outDir: a }, fx);
    expect(again.areas.map((x) => x.unchanged)).toEqual([true]);
    expect(files(join(a, "2024")).map((f) => statSync(join(a, "2024", f)).mtimeMs)).toEqual(mtimes);
    // SOURCE_DATE_EPOCH changes the PDFs' dates: a real change, published
    const other = await build({ configPath, outDir: a, formats: ["pdf"], sourceDateEpoch: 1_700_000_000 }, fx);
    expect(other.areas.map((x) => x.unchanged)).toEqual([false]);
    expect(readFileSync(join(a, "2024", "en", "bulletin.pdf"), "latin1")).toContain(
      "/CreationDate (D:20231114221320+00'00')",
    );
  });
});
