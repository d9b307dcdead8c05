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
 * hidden in turn (a count as "<5" and as "x", a balance, rate or rank as "x"), in both languages; and the
 * arrondissement of Leuven's edition with each figure a round's pattern can hide in an area (its components, the men
 * and women of a listed nationality). The sentences that go (-) and come (+) are compared with
 * test/golden/hidden/[arrondissement-]<lang>.txt (a change of wording shows in review;
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
let area: Prepared;
let templates: TemplateSet;
beforeAll(async () => {
  const fx = memoryPrinterEffects();
  const config = await loadConfig(configPath, fx);
  const req = { configPath, areas: ["24062"], year: 2024 };
  const plan = planEditions(config, req);
  const out = { problems: [], timings: {} };
  base = (await prepareYear(config, req, 2024, plan.get(2024)!, fx, out))[0]!;
  // the arrondissement of Leuven: nothing of it is hidden by the round's pattern
  const areaReq = { configPath, areas: ["24000"], year: 2024 };
  area = (await prepareYear(config, areaReq, 2024, planEditions(config, areaReq).get(2024)!, fx, out))[0]!;
  const both = { configPath, areas: ["24062", "24000"], year: 2024 };
  templates = await templatesFor(both, planEditions(config, both), fx);
}, 60_000);

/** the paths of numbers the text states, from its facts */
const stated = (p: Prepared, kinds = /^(count|rate|rank)/) => [
  ...new Set(
    Object.values(narrate(p, templates, configPath, true)).flatMap((n) =>
      n.facts
        .filter((f) => kinds.test(f.kind))
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

/** The sentences that go and come when each of `paths` is hidden in turn, per language; and the holes (a hidden
 * value's label where a number belongs). */
function hiddenReport(p: Prepared, paths: string[], hideWith: (path: string) => string[] = (x) => [x]) {
  const before = Object.fromEntries(
    LANGS.map((l) => [l, new Set(sentences(narrate(p, templates, configPath, true)[l]))]),
  ) as Record<Lang, Set<string>>;
  const report: Record<Lang, string[]> = { nl: [], en: [] };
  const holes: string[] = [];
  // a count can be "<5" or "x"; a balance, a rate, a share or a rank only "x" (hidden with the counts it is made of)
  const kinds = (x: string) =>
    /(immigration|emigration|count|men|women)$/.test(x)
      ? (["primary", "secondary"] as const)
      : (["secondary"] as const);
  for (const path of paths)
    for (const kind of kinds(path)) {
      const n = narrate(hide(p, hideWith(path), kind), templates, configPath, true);
      for (const l of LANGS) {
        const after = sentences(n[l]);
        const changed = after.filter((x) => !before[l].has(x));
        const gone = [...before[l]].filter((x) => !after.includes(x));
        report[l].push(
          `${path} [${kind === "primary" ? "<5" : "x"}]`,
          ...gone.map((x) => `  - ${x}`),
          ...changed.map((x) => `  + ${x}`),
        );
        for (const x of changed)
          if (
            /(not published|niet gepubliceerd) (immigra|emigra|of|van)|\b(was|bedroeg|registered|telde|tegenover|compared with|for|voor|for|made up|accounted for) (not published|niet gepubliceerd)\b|\((not published|niet gepubliceerd)\)/.test(
              x,
            )
          )
            holes.push(`${path} [${kind}] ${l}: ${x}`);
      }
    }
  return { report, holes };
}

/** The report against its golden file (`UPDATE_GOLDEN=1` rewrites it locally). */
function golden(name: string, report: Record<Lang, string[]>) {
  for (const l of LANGS) {
    const file = join(dir, `${name}${l}.txt`);
    const actual = `${report[l].join("\n")}\n`;
    if (update || (!existsSync(file) && process.env.CI !== "true")) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, actual);
    }
    const expected = existsSync(file) ? readFileSync(file, "utf8") : "(missing golden file)";
    if (expected !== actual) writeFileSync(`${file}.actual`, actual);
    expect(actual, `test/golden/hidden/${name}${l}.txt differs; see ${name}${l}.txt.actual`).toBe(expected);
  }
}

describe("sentences about hidden figures", () => {
  it("each figure the text states, hidden in turn as '<5' and as 'x', in both languages: golden, and never a label in a number's slot", () => {
    const paths = stated(base);
    expect(paths.length).toBeGreaterThan(10);
    const { report, holes } = hiddenReport(base, paths);
    expect(holes).toEqual([]);
    golden("", report);
  }, 120_000);

  it("an arrondissement's edition: each figure the round's pattern can hide there (components, the men and women of a nationality), hidden in turn", () => {
    // what a round hides in an area's edition: its components (count and share together) and the men and women
    // of a listed nationality; its totals, groups and nationalities' totals are never small (README § Confidentiality)
    const paths = stated(area, /^(count|share)/).filter((x) =>
      /^components\.(immigration|emigration)\.\d+\.share$|^topNationalities\.(immigration|emigration)\.\d+\.(men|women)$/.test(
        x,
      ),
    );
    const all = area.indicators.components.immigration.length + area.indicators.components.emigration.length;
    expect(paths.filter((x) => x.startsWith("components.")).length).toBe(all);
    const { report, holes } = hiddenReport(area, paths, (x) =>
      x.startsWith("components.") ? [x, x.replace(/share$/, "count")] : [x],
    );
    expect(holes).toEqual([]);
    golden("arrondissement-", report);
  }, 120_000);
});
