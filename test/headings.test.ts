import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { build } from "../src/commands/build.ts";
import { configPath, overlayEffects } from "./helpers.ts";

/*
 * An edition of another area than the region names it in its first heading (issue #27): the HTML's <h1>, the PDF's
 * first bookmark (Chromium makes the outline from the headings), the document title and the e-mail's subject
 * (summary.json), in both languages; the region's edition keeps its heading.
 */

let out: string;
beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), "bulletin-headings-"));
  await build({ configPath, outDir: out, areas: ["73028", "24062", "24000"] }, overlayEffects());
}, 120_000);

/** The text of the first <h1>, tags removed. */
const h1 = (html: string) => /<h1>([\s\S]*?)<\/h1>/.exec(html)![1]!.replace(/<[^>]+>/g, "");
/** The titles of a PDF's bookmarks, in file order (literal or UTF-16 hex strings). */
function bookmarks(pdf: Buffer): string[] {
  const text = pdf.toString("latin1");
  const outline = text.slice(text.indexOf("/Outlines"));
  return [...outline.matchAll(/\/Title\s*(?:<([0-9A-Fa-f]+)>|\(((?:[^()\\]|\\.)*)\))/g)].map((m) =>
    m[1]
      ? Buffer.from(m[1], "hex")
          .swap16()
          .toString("utf16le")
          .replace(/^\uFEFF/, "")
      : m[2]!,
  );
}

const cases = [
  {
    dir: "municipalities/73028",
    nl: "Internationale migratie 2024 — Herstappe",
    en: "International migration 2024 — Herstappe",
  },
  {
    dir: "municipalities/24062",
    nl: "Internationale migratie 2024 — Leuven",
    en: "International migration 2024 — Leuven",
  },
  {
    dir: "areas/24000",
    nl: "Internationale migratie 2024 — Arrondissement Leuven",
    en: "International migration 2024 — Arrondissement of Leuven",
  },
] as const;

describe("the area in the first heading of every edition below the region", () => {
  it.each(cases.flatMap((c) => (["nl", "en"] as const).map((lang) => ({ ...c, lang, want: c[lang] }))))(
    "$dir ($lang): <h1>, <title>, the PDF's first bookmark and the e-mail subject",
    ({ dir, lang, want }) => {
      const base = join(out, "2024", dir, lang);
      const html = readFileSync(join(base, "bulletin.html"), "utf8");
      expect(h1(html)).toBe(want);
      expect(html).toContain(`<title>${want}</title>`);
      expect(bookmarks(readFileSync(join(base, "bulletin.pdf")))[0]).toBe(want);
      const summary = JSON.parse(readFileSync(join(base, "summary.json"), "utf8"));
      expect(`${summary.title} 2024 — ${summary.area}`).toBe(want);
    },
  );
});

describe("what a municipal edition credits and titles (issue #30)", () => {
  it.each(["nl", "en"] as const)(
    "Leuven (%s): the map's title says it shows the location; no Eurostat credit",
    (lang) => {
      const html = readFileSync(join(out, "2024", "municipalities", "24062", lang, "bulletin.html"), "utf8");
      expect(html).toContain(
        lang === "nl" ? "Ligging van Leuven in het Vlaams Gewest" : "Location of Leuven in the Flemish Region",
      );
      expect(html).not.toContain("Eurostat");
    },
  );
});
