import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { build } from "../src/commands/build.ts";
import { SECTION_IDS } from "../src/core/domain.ts";
import { configPath, overlayEffects } from "./helpers.ts";
import { sharedRound } from "./shared-round.ts";

let out: string;
const html: Record<string, string> = {};
beforeAll(async () => {
  out = await sharedRound();
  for (const l of ["en", "nl"]) html[l] = readFileSync(join(out, "2024", l, "bulletin.html"), "utf8");
});

describe("HTML editions", () => {
  it.each([
    [
      "en",
      "Nearly 94,400 international immigrations in 2024",
      'Published on <time datetime="2025-07-15">15 July 2025</time> • Next update: <time datetime="2026-07">July 2026</time>',
    ],
    [
      "nl",
      "Bijna 94.400 internationale immigraties in 2024",
      'Gepubliceerd op <time datetime="2025-07-15">15 juli 2025</time> • Volgende update: <time datetime="2026-07">juli 2026</time>',
    ],
  ])("%s: language, first headline, dates in the language", (lang, headline, dates) => {
    const h = html[lang]!;
    expect(h).toMatch(new RegExp(`^<!doctype html>\\n<html lang="${lang}">`));
    expect(h).toContain('<meta charset="utf-8">');
    expect(h).toContain(`<h2 id="headline-title">${headline}</h2>`);
    expect(h).toContain(dates);
  });

  it("self-contained: no request to another host, the font inlined, no script", () => {
    for (const h of Object.values(html)) {
      expect(h).not.toMatch(/(src|href)="(https?:)?\/\//);
      expect(h).not.toMatch(/url\((?!data:)/);
      expect(h).toContain("font/woff2;base64,");
      expect(h).not.toContain("<script");
    }
  });

  it("one section per headline, glossary terms link to definitions that exist", () => {
    for (const h of Object.values(html)) {
      expect(h.match(/<section id="[a-z-]+" class="section"/g)).toHaveLength(7);
      const targets = [...h.matchAll(/href="#def-([a-z-]+)"/g)].map((m) => m[1]);
      expect(targets.length).toBeGreaterThan(10);
      for (const t of new Set(targets)) expect(h).toContain(`id="def-${t}"`);
    }
  });

  it("synthetic notice, source line, link to the other edition, editorial note in its section", () => {
    expect(html.en).toContain("built from synthetic demonstration data");
    expect(html.nl).toContain("synthetische demonstratiegegevens");
    expect(html.en).toContain('href="../nl/bulletin.html" hreflang="nl"');
    expect(html.nl).toContain('href="../en/bulletin.html" hreflang="en"');
    expect(html.en).toContain("Source: Statbel (National Register) &amp; Eurostat, processed by Statistics Flanders.");
    // each figure credits only its own sources: the register for figures 1–6, Eurostat for figure 7
    const sourceOf = (h: string, id: string) =>
      new RegExp(`id="fig-${id}"[\\s\\S]*?<p class="source">([^<]*)</p>`).exec(h)?.[1];
    expect(sourceOf(html.en!, "headline")).toBe(
      "Source: Statbel (National Register), processed by Statistics Flanders.",
    );
    expect(sourceOf(html.en!, "regions")).not.toContain("Eurostat");
    expect(sourceOf(html.en!, "eu-comparison")).toBe("Source: Eurostat, processed by Statistics Flanders.");
    expect(sourceOf(html.nl!, "eu-comparison")).toBe("Bron: Eurostat, verwerking Statistiek Vlaanderen.");
    expect(html.en).toMatch(/id="headline"[\s\S]*war in Ukraine[\s\S]*id="components"/);
    expect(html.nl).toMatch(/id="headline"[\s\S]*oorlog in Oekraïne[\s\S]*id="components"/);
  });

  it("facts.json per edition", () => {
    for (const l of ["en", "nl"]) {
      const facts = JSON.parse(readFileSync(join(out, "2024", l, "facts.json"), "utf8"));
      expect(facts.find((f: { indicator: string }) => f.indicator === "headline.immigration").value).toBe(94_372);
    }
  });
});

describe("figures in the HTML", () => {
  it("seven inline SVG figures per edition, each with description, data table and four downloads", () => {
    for (const l of ["en", "nl"]) {
      const h = html[l]!;
      expect(h.match(/<figure id="fig-/g)).toHaveLength(7);
      expect(h.match(/<div class="chart"><svg/g)).toHaveLength(7);
      expect(h.match(/<details class="data">/g)).toHaveLength(7);
      expect(h.match(/href="charts\/[a-z-]+\.(svg|png|csv|vl\.json)" download/g)).toHaveLength(28);
      for (const id of SECTION_IDS)
        for (const ext of ["svg", "png", "csv", "vl.json"])
          expect(readFileSync(join(out, "2024", l, "charts", `${id}.${ext}`)).length).toBeGreaterThan(100);
    }
    expect(html.en).toContain('aria-describedby="desc-municipalities"');
    expect(html.en).toMatch(
      /id="desc-headline"><span class="visually-hidden">Description of the figure: <\/span>Line chart of international immigration/,
    );
  });

  it("without boundaries the map section shows a ranking and says why; the build does not fail", async () => {
    const cfg = readFileSync(configPath, "utf8").replace(
      / {2}boundaries:\n( {4}.*\n)+/,
      "  boundaries: geo/none.topo.json\n",
    );
    const dir = mkdtempSync(join(tmpdir(), "bulletin-nomap-"));
    await build({ configPath: "nomap.yml", outDir: dir, langs: ["en"] }, overlayEffects({ "nomap.yml": cfg }));
    const h = readFileSync(join(dir, "2024", "en", "bulletin.html"), "utf8");
    expect(h).toContain(
      "No municipal boundaries were available, so this figure ranks the municipalities instead of mapping them",
    );
    expect(h).not.toContain("Municipal boundaries: Statbel");
    // the figure's description names the figure that is shown
    expect(h).toContain("Bar chart ranking the municipalities of the Flemish Region by their average yearly");
    expect(h).not.toContain("Map of the municipalities");
  });
});
