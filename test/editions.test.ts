import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Built, build } from "../src/commands/build.ts";
import type { Printer } from "../src/effects.ts";
import { launchPrinter } from "../src/pdf/print-pdf.ts";
import { configPath, overlayEffects } from "./helpers.ts";

/**
 * An edition is a value (year, area, language): one call builds a list of them, indicators once per (year, area),
 * one browser for all. Here: the Flemish Region and the arrondissement of Tongeren, in Dutch and English.
 */
const AREAS = {
  "02000": { nl: "Vlaams Gewest", en: "Flemish Region" },
  "73000": { nl: "arrondissement Tongeren", en: "arrondissement of Tongeren" },
};
const text = (html: string) =>
  html.replace(/<style[\s\S]*?<\/style>|<svg[\s\S]*?<\/svg>/g, "").replace(/<[^>]+>/g, " ");

let built: Built;
let launches = 0;
let prints = 0;
let out: string;
beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), "bulletin-editions-"));
  const fx = overlayEffects(
    {},
    {
      startPrinter: async () => {
        launches++;
        const real = await launchPrinter();
        const counted: Printer = {
          print: (h, o) => {
            prints++;
            return real.print(h, o);
          },
          close: () => real.close(),
        };
        return counted;
      },
    },
  );
  try {
    built = await build({ configPath, outDir: out, areas: ["02000", "73000"], langs: ["nl", "en"] }, fx);
  } finally {
    await fx.close();
  }
}, 120_000);

describe("a list of editions for two areas and two languages", () => {
  it("is built with one browser: one launch, four prints, one folder per area", () => {
    expect(launches).toBe(1);
    expect(prints).toBe(4);
    expect(built.areas.map((a) => [a.area, a.editions.map((e) => e.key.lang)])).toEqual([
      ["02000", ["nl", "en"]],
      ["73000", ["nl", "en"]],
    ]);
    expect(readdirSync(join(out, "2024")).sort()).toEqual(["areas", "disclosure.json", "en", "indicators.json", "nl"]);
    expect(readdirSync(join(out, "2024", "areas", "73000")).sort()).toEqual(["en", "indicators.json", "nl"]);
  });

  it("each edition states only its own area's facts", () => {
    const [region, arr] = built.areas;
    expect(region!.indicators.headline.immigration).not.toBe(arr!.indicators.headline.immigration);
    for (const a of built.areas) {
      const other = a.area === "02000" ? "73000" : "02000";
      for (const e of a.editions) {
        const lang = e.key.lang;
        const facts = e.narrative.facts;
        // every number of the headline is the area's own
        expect(facts.find((f) => f.indicator === "headline.immigration")?.value).toBe(
          a.indicators.headline.immigration,
        );
        expect(facts.find((f) => f.indicator === "headline.balance")?.value).toBe(a.indicators.headline.balance);
        // every name of the area is its own
        for (const f of facts.filter((x) => x.kind === "names:area")) expect(f.value).toEqual([a.area]);
        const t = text(e.html);
        expect(t).toContain(AREAS[a.area as keyof typeof AREAS][lang]);
        expect(t).not.toContain(AREAS[other as keyof typeof AREAS][lang]);
        // the arrondissement's municipal section covers its 13 municipalities, the region's all 300
        expect(a.indicators.municipalities.count).toBe(a.area === "02000" ? 300 : 13);
      }
    }
  });

  it("the area's edition has the sections its data support, and its PDF is its own", () => {
    const arr = built.areas[1]!;
    expect(arr.sections).toEqual([
      "headline",
      "components",
      "nationality-groups",
      "top-nationalities",
      "municipalities",
    ]);
    const en = arr.editions.find((e) => e.key.lang === "en")!;
    const pdf = join(mkdtempSync(join(tmpdir(), "bulletin-pdf-")), "a.pdf");
    writeFileSync(pdf, en.pdf!);
    const pdfText = execFileSync("pdftotext", [pdf, "-"]).toString("utf8");
    expect(pdfText).toContain("arrondissement of Tongeren");
    // the running header names the area of an edition other than the bulletin's own
    expect(pdfText).toContain("Statistics Flanders · International migration 2024 · Arrondissement of Tongeren"); // as its heading names it
    // and the definitions define only what the edition uses (no EU comparison here)
    expect(pdfText).not.toContain("Usually resident population");
    expect(pdfText).not.toContain("Flemish Region");
    expect(readFileSync(join(arr.target, "en", "bulletin.pdf")).equals(Buffer.from(en.pdf!))).toBe(true);
  });

  it("a rebuild of the bulletin keeps the other areas' editions and the send ledger", async () => {
    writeFileSync(join(out, "2024", "send-ledger.jsonl"), '{"messageId":"<x>"}\n');
    await build({ configPath, outDir: out, formats: ["html"], langs: ["en"] }, overlayEffects());
    expect(readdirSync(join(out, "2024", "areas"))).toEqual(["73000"]);
    expect(readFileSync(join(out, "2024", "send-ledger.jsonl"), "utf8")).toContain("<x>");
    expect(readdirSync(join(out, "2024")).sort()).toEqual([
      "areas",
      "disclosure.json",
      "en",
      "indicators.json",
      "send-ledger.jsonl",
    ]);
  });
});
