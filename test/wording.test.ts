import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Lang } from "../src/core/domain.ts";
import { NumberWords, parseWritten, roundForText } from "../src/i18n/wording.ts";

const en = new NumberWords("en");
const nl = new NumberWords("nl");
const LANGS: Lang[] = ["en", "nl"];
const NEARLY = { en: "nearly ", nl: "bijna " };
const OVER = { en: /^just over /, nl: /^iets meer dan / };

describe("number wording: table of published wordings", () => {
  it.each([
    [94_372, "directional", false, "nearly 94,400", "bijna 94.400"],
    [61_362, "directional", false, "nearly 61,400", "bijna 61.400"],
    [33_010, "approximate", true, "approximately +33,000", "ongeveer +33.000"],
    [74_046, "directional", false, "just over 74,000", "iets meer dan 74.000"],
    [-6_521, "directional", true, "rounded to −6,500", "afgerond −6.500"],
    [29_812, "directional", true, "just over +29,800", "iets meer dan +29.800"],
    [9_719, "rounded", true, "rounded to +9,700", "afgerond +9.700"],
    [34_396, "directional", true, "nearly +34,400", "bijna +34.400"],
    [34_400, "directional", true, "+34,400", "+34.400"],
    [184, "directional", false, "184", "184"],
    [6_864_766, "directional", false, "nearly 6,865,000", "bijna 6.865.000"],
    [6_865_321, "directional", false, "just over 6,865,000", "iets meer dan 6.865.000"],
  ] as const)("%s (%s, signed %s) → %s / %s", (x, style, signed, e, n) => {
    expect(en.hedged(x, style, signed).text).toBe(e);
    expect(nl.hedged(x, style, signed).text).toBe(n);
  });

  it("34,396 rounds to +34,400 as published for 2010", () => {
    expect(en.integer(roundForText(34_396), true)).toBe("+34,400");
  });

  it.each([
    [0.7998, "80%", "80%"],
    [0.11, "11%", "11%"],
    [0.003, "0.3%", "0,3%"],
    [0.0029986, "0.3%", "0,3%"],
    [0.48, "48%", "48%"],
  ])("share %d → %s / %s", (s, e, n) => {
    expect(en.percent(s)).toBe(e);
    expect(nl.percent(s)).toBe(n);
  });

  it("decimals, fractions and tenths", () => {
    expect(en.decimal(10.1)).toBe("10.1");
    expect(nl.decimal(56.1)).toBe("56,1");
    expect(en.fraction(0.48)?.text).toBe("nearly half");
    expect(nl.fraction(0.48)?.text).toBe("bijna de helft");
    expect(en.fraction(0.52)?.text).toBe("just over half");
    expect(en.fraction(0.6)).toBeUndefined();
    expect(en.outOfTen(0.4).text).toBe("4 out of 10");
    expect(nl.outOfTen(0.42).text).toBe("iets meer dan 4 op de 10");
  });
});

describe("number wording: a hedge is never false (property-based)", () => {
  const magnitudes = fc.oneof(
    fc.integer({ min: 0, max: 999 }),
    fc.integer({ min: 1_000, max: 999_999 }),
    fc.integer({ min: 1_000_000, max: 50_000_000 }),
  );
  for (const lang of LANGS) {
    const w = new NumberWords(lang);
    it(`${lang}: "nearly X" only below X, "just over X" only above, bare X only when exact`, () => {
      fc.assert(
        fc.property(magnitudes, fc.boolean(), (x, signed) => {
          const { text } = w.hedged(x, "directional", signed);
          const num = parseWritten(text.split(" ").at(-1)!, lang);
          if (text.startsWith(NEARLY[lang])) expect(x).toBeLessThan(num);
          else if (OVER[lang].test(text)) expect(x).toBeGreaterThan(num);
          else expect(x).toBe(num);
          expect(Math.abs(x - num)).toBeLessThanOrEqual(x < 1000 ? 0 : x < 1e6 ? 50 : 500);
        }),
        { numRuns: 2000 },
      );
    });
    it(`${lang}: negative values are never "nearly" or "just over"; rounding is symmetric`, () => {
      fc.assert(
        fc.property(fc.integer({ min: -5_000_000, max: -1 }), (x) => {
          const r = w.hedged(x, "directional", true);
          expect(["rounded-to", "none"]).toContain(r.hedge);
          expect(roundForText(x)).toBe(-roundForText(-x));
        }),
        { numRuns: 1000 },
      );
    });
    it(`${lang}: fractions and tenths hedge truthfully`, () => {
      fc.assert(
        fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (s) => {
          const f = w.fraction(s);
          if (f?.hedge === "nearly") expect(s).toBeLessThan(f.shown);
          if (f?.hedge === "just-over") expect(s).toBeGreaterThan(f.shown);
          const t = w.outOfTen(s);
          if (t.hedge === "nearly") expect(s).toBeLessThan(t.shown);
          if (t.hedge === "just-over") expect(s).toBeGreaterThan(t.shown);
        }),
        { numRuns: 2000 },
      );
    });
  }
});
