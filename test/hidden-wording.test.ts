import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "html-to-text";
import { beforeAll, describe, expect, it } from "vitest";
import { narrate, type Prepared, prepareYear, templatesFor } from "../src/chain/prepare.ts";
import { planEditions } from "../src/config/editions.ts";
import { loadConfig } from "../src/config/read-config.ts";
import type { Lang } from "../src/core/domain.ts";
import type { TemplateSet } from "../src/narrative/read-templates.ts";
import { configPath, memoryPrinterEffects, root } from "./helpers.ts";

/*
 * Every sentence about a figure that disclosure control can hide, read with that figure hidden (#29): Leuven's
 * municipal edition, whose every figure is published, with each count, balance, share and rate its text states
 * hidden in turn (a count as "<5" and as "x", a balance, rate or rank as "x"), in both languages. The sentences that
 * go (-) and come (+) are compared with test/golden/hidden/<lang>.txt (a change of wording shows in review;
 * `UPDATE_GOLDEN=1` rewrites them locally), and none may put a hidden value's label where a number belongs ("telde
 * niet gepubliceerd immigraties").
 */

const LANGS: Lang[] = ["nl", "en"];
const dir = join(root, "test", "golden", "hidden");
const update = process.env.UPDATE_GOLDEN === "1" && process.env.CI !== "true";
const toText = compile({ wordwrap: false, selectors: [{ selector: "a", options: { ignoreHref: true } }] });
const sentences = (n: ReturnType<typeof narrate>[Lang]) =>
  Object.values(n.sections)
    .flatMap((s) => toText(s.body).split(/(?<=[.;])\s+/))
    .map((x) => x.trim())
    .filter(Boolean);

let base: Prepared;
let templates: TemplateSet;
beforeAll(async () => {
  const fx = memoryPrinterEffects();
  const config = await loadConfig(configPath, fx);
  const req = { configPath, areas: ["24062"], year: 2024 };
  const plan = planEditions(config, req);
  const out = { problems: [], timings: {} };
  base = (await prepareYear(config, req, 2024, plan.get(2024)!, fx, out))[0]!;
  templates = await templatesFor(req, plan, fx);
}, 60_000);

/** the paths of numbers the text states, from its facts */
const stated = (p: Prepared) => [
  ...new Set(
    Object.values(narrate(p, templates, configPath, true)).flatMap((n) =>
      n.facts
        .filter((f) => /^(count|rate|rank)/.test(f.kind))
        .map((f) => f.indicator)
        // never hidden: the rule, the edition's own facts, and the rates of the areas it is compared with
        .filter(
          (i) => !/^(disclosure|meta)\.|^local\.rank\.of$|^topNationalities\.minTotal$|^local\.rates\.[1-9]/.test(i),
        ),
    ),
  ),
];

function hide(p: Prepared, paths: string[], kind: "primary" | "secondary"): Prepared {
  const ind = structuredClone(p.indicators);
  for (const path of paths) {
    const keys = path.split(".");
    const last = keys.pop()!;
    const parent = keys.reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, ind as never);
    if (typeof parent[last] === "number") parent[last] = null;
  }
  const d = ind.disclosure ?? { minCount: 5, primary: [], secondary: [], rateMinPopulation: 1000, rateMinEvents: 20 };
  ind.disclosure = { ...d, [kind]: [...d[kind], ...paths] };
  return { ...p, indicators: ind };
}

describe("sentences about hidden figures", () => {
  it("each figure the text states, hidden in turn as '<5' and as 'x', in both languages: golden, and never a label in a number's slot", () => {
    const paths = stated(base);
    expect(paths.length).toBeGreaterThan(10);
    const before = Object.fromEntries(
      LANGS.map((l) => [l, new Set(sentences(narrate(base, templates, configPath, true)[l]))]),
    ) as Record<Lang, Set<string>>;
    const report: Record<Lang, string[]> = { nl: [], en: [] };
    const holes: string[] = [];
    // a count can be "<5" or "x"; a balance, a rate or a rank only "x" (it is hidden with the counts it is made of)
    const kinds = (p: string) =>
      /(immigration|emigration|count)$/.test(p) ? (["primary", "secondary"] as const) : (["secondary"] as const);
    for (const path of paths)
      for (const kind of kinds(path)) {
        const n = narrate(hide(base, [path], kind), templates, configPath, true);
        for (const l of LANGS) {
          const after = sentences(n[l]);
          const changed = after.filter((s) => !before[l].has(s));
          const gone = [...before[l]].filter((s) => !after.includes(s));
          report[l].push(
            `${path} [${kind === "primary" ? "<5" : "x"}]`,
            ...gone.map((s) => `  - ${s}`),
            ...changed.map((s) => `  + ${s}`),
          );
          for (const s of changed)
            if (
              /(not published|niet gepubliceerd) (immigra|emigra)|\b(was|bedroeg|registered|telde|tegenover|compared with) (not published|niet gepubliceerd)\b/.test(
                s,
              )
            )
              holes.push(`${path} [${kind}] ${l}: ${s}`);
        }
      }
    expect(holes).toEqual([]);
    for (const l of LANGS) {
      const file = join(dir, `${l}.txt`);
      const actual = `${report[l].join("\n")}\n`;
      if (update || (!existsSync(file) && process.env.CI !== "true")) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(file, actual);
      }
      const expected = existsSync(file) ? readFileSync(file, "utf8") : "(missing golden file)";
      if (expected !== actual) writeFileSync(`${file}.actual`, actual);
      expect(actual, `test/golden/hidden/${l}.txt differs; see ${l}.txt.actual`).toBe(expected);
    }
  }, 120_000);
});
