import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "html-to-text";
import { beforeAll, describe, expect, it } from "vitest";
import { render } from "../src/chain/pipeline.ts";
import type { Lang } from "../src/core/domain.ts";
import type { Narrative } from "../src/narrative/write-narrative.ts";
import { configPath, memoryPrinterEffects, root } from "./helpers.ts";

/**
 * Golden output: the narrative of each case, in both languages, as plain text and as facts.json, is compared with
 * test/golden/narrative/<case>/. A change of wording shows as a diff to review: the new text is written next to the
 * golden file as `<file>.actual`. Locally, `UPDATE_GOLDEN=1 npm test` rewrites the golden files; CI never does
 * (a missing golden file fails there).
 *
 * Cases: the bulletin itself (Flemish Region, 2024) and the arrondissement of Tongeren (13 municipalities, the
 * smallest of them Herstappe: a small area whose edition has the five sections its flows support).
 */
const CASES = [
  { id: "flemish-region-2024", year: 2024, area: "02000" },
  { id: "arrondissement-tongeren-2024", year: 2024, area: "73000" },
  // the first edition on the 285 municipalities of 2025 (2023 and 2024 recomputed for them)
  { id: "flemish-region-2025", year: 2025, area: "02000" },
];
const LANGS: Lang[] = ["nl", "en"];
const dir = join(root, "test", "golden", "narrative");
const update = process.env.UPDATE_GOLDEN === "1" && process.env.CI !== "true";
const toText = compile({ wordwrap: 110, selectors: [{ selector: "a", options: { ignoreHref: true } }] });

function asText(n: Narrative): string {
  return Object.entries(n.sections)
    .map(([id, p]) =>
      [
        `## ${id}: ${p.headlineText}`,
        toText(p.body),
        ...(p.note ? [`[note] ${toText(p.note)}`] : []),
        ...(p.caption ? [`[caption] ${toText(p.caption)}`] : []),
        ...(p.altText ? [`[description] ${p.altText}`] : []),
      ].join("\n\n"),
    )
    .join("\n\n");
}

function golden(file: string, actual: string) {
  const path = join(dir, file);
  if (update || (!existsSync(path) && process.env.CI !== "true")) {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, actual);
  }
  const expected = existsSync(path) ? readFileSync(path, "utf8") : "(missing golden file)";
  if (expected !== actual) writeFileSync(`${path}.actual`, actual);
  expect(actual, `${file} differs from its golden file; see ${file}.actual`).toBe(expected);
}

const narratives = new Map<string, Record<Lang, Narrative>>();
beforeAll(async () => {
  const built = await render(
    {
      configPath,
      editions: CASES.flatMap((c) => LANGS.map((lang) => ({ year: c.year, area: c.area, lang }))),
      formats: ["html"],
      // an empty output folder: no previous edition there, so no revisions paragraph depends on what is on disk
      outDir: mkdtempSync(join(tmpdir(), "bulletin-golden-")),
    },
    memoryPrinterEffects(),
  );
  for (const c of CASES) {
    const b = built.areas.find((a) => a.area === c.area && a.year === c.year)!;
    narratives.set(
      c.id,
      Object.fromEntries(b.editions.map((e) => [e.key.lang, e.narrative])) as Record<Lang, Narrative>,
    );
  }
});

describe("golden narratives (text and facts, both languages)", () => {
  for (const c of CASES)
    for (const lang of LANGS) {
      it(`${c.id} ${lang}: text`, () => golden(`${c.id}/${lang}.txt`, `${asText(narratives.get(c.id)![lang])}\n`));
      it(`${c.id} ${lang}: facts.json`, () =>
        golden(`${c.id}/${lang}.facts.json`, `${JSON.stringify(narratives.get(c.id)![lang].facts, null, 2)}\n`));
    }
});
