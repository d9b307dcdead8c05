import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumArgs } from "../src/pdf/chromium.ts";
import { chromiumPath } from "../src/pdf/print-pdf.ts";
import { sharedRound } from "./shared-round.ts";

/**
 * axe-core (WCAG 2.1 A and AA, every impact) on both HTML editions in headless Chromium: zero violations. The page
 * itself runs no script; axe is injected by the test only.
 */
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
let browser: Browser;
const html: Record<string, string> = {};
beforeAll(async () => {
  const out = await sharedRound();
  for (const lang of ["nl", "en"]) html[lang] = readFileSync(join(out, "2024", lang, "bulletin.html"), "utf8");
  browser = await puppeteer.launch({ executablePath: chromiumPath(), args: chromiumArgs(), headless: true });
}, 120_000);
afterAll(() => browser?.close());

describe("accessibility (axe-core, WCAG 2.1 A/AA)", () => {
  it.each(["nl", "en"])("%s edition: no violation of any impact", async (lang) => {
    const page = await browser.newPage();
    try {
      await page.setViewport({ width: 1200, height: 900 });
      await page.setContent(html[lang]!, { waitUntil: "load" });
      await page.addScriptTag({ content: axeSource });
      const violations = await page.evaluate(async () => {
        const r = await (
          window as unknown as {
            axe: {
              run: (
                o: object,
              ) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
            };
          }
        ).axe.run({
          runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        return r.violations.map(
          (v) =>
            `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes
              .slice(0, 2)
              .map((n) => n.target.join(" "))
              .join(" | ")}`,
        );
      });
      expect(violations).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
