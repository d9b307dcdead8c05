import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/read-config.ts";
import { readOneTable } from "../src/data/read-datasets.ts";
import { auditEditions, formatAudit } from "../src/disclosure/audit.ts";
import { roundGeography } from "../src/disclosure/keys.ts";
import { categoriesOf } from "../src/disclosure/round.ts";
import type { Indicators } from "../src/indicators/types.ts";
import { configPath, indicatorsOf, overlayEffects } from "./helpers.ts";

/*
 * The audit of published files (disclosure/audit.ts): the region's edition as computed publishes a municipality's
 * period counts of 3; hidden alone, the region's total minus the other municipalities gives them back exactly;
 * hidden with a partner, the LP finds nothing.
 */

const fx = overlayEffects({});
async function setup() {
  const config = await loadConfig(configPath, fx);
  const t = async (n: "municipalities" | "crosswalk" | "components" | "nationalities") =>
    (await readOneTable(config, n, fx)).table;
  const municipalities = await t("municipalities");
  const crosswalk = await t("crosswalk");
  const components = await t("components");
  const nationalities = await t("nationalities");
  const geo = roundGeography({ municipalities, crosswalk }, { year: 2024, geography: 2024, region: "02000" });
  const cats = categoriesOf({ components, nationalities } as Parameters<typeof categoriesOf>[0]);
  return { geo, cats };
}

/** The region's edition with the municipal rows of `codes` hidden ("<5" for the first, "x" for the others). */
function hide(ind: Indicators, codes: string[]): Indicators {
  const out = structuredClone(ind);
  const primary: string[] = [];
  const secondary: string[] = [];
  out.municipalities.rows.forEach((r, k) => {
    const at = codes.indexOf(r.nis);
    if (at < 0) return;
    const row = r as unknown as Record<string, number | null>;
    for (const f of ["immigration", "emigration", "balance", "ratePer1000"]) row[f] = null;
    const counts = [`municipalities.rows.${k}.immigration`, `municipalities.rows.${k}.emigration`];
    (at === 0 ? primary : secondary).push(...counts);
    secondary.push(`municipalities.rows.${k}.balance`, `municipalities.rows.${k}.ratePer1000`);
  });
  out.disclosure = { minCount: 5, primary, secondary, rateMinPopulation: 1000, rateMinEvents: 20 };
  return out;
}

describe("audit of published editions", () => {
  it("names a small count the region publishes, one its own subtraction gives back, and passes a protected pair", async () => {
    const { geo, cats } = await setup();
    const region = await indicatorsOf(2024);
    const small = region.municipalities.rows.find((r) => r.immigration >= 1 && r.immigration < 5)!;
    expect(
      small,
      "the demonstration data has a municipality with fewer than 5 immigrations over the period",
    ).toBeTruthy();
    const key = `${small.nis}|2022-2024|immigration|T`;
    const audit = (ind: Indicators) => auditEditions([{ file: "out/2024/indicators.json", ind }], () => geo, cats, 5);

    // 1. as computed: the count is published outright
    const open = await audit(region);
    expect(open.findings.find((f) => f.key === key)).toMatchObject({
      what: "small",
      value: small.immigration,
      files: ["out/2024/indicators.json"],
    });
    expect(formatAudit(open, 5)).toContain(`${small.nis} 2022-2024 immigration T: a count of ${small.immigration}`);

    // 2. hidden alone: the region's yearly totals minus the other rows give it exactly
    const alone = await audit(hide(region, [small.nis]));
    expect(alone.findings.find((f) => f.key === key)).toMatchObject({
      what: "narrowed",
      lo: small.immigration,
      hi: small.immigration,
    });

    // 3. hidden with a partner (the next smallest row): nothing can be narrowed, the LP included
    const partner = region.municipalities.rows
      .filter((r) => r.nis !== small.nis)
      .sort((a, b) => a.immigration + a.emigration - b.immigration - b.emigration)[0]!;
    const pair = await audit(hide(region, [small.nis, partner.nis]));
    expect(pair.findings).toEqual([]);
    expect(pair.steps.map((s) => s.step)).toEqual(["small", "propagation", "lp"]);
    expect(formatAudit(pair, 5)).toContain("ok: no hidden count can be narrowed");
  }, 60_000);
});
