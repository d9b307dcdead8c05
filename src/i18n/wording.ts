/**
 * The number wording engine: how a number is written in an edition's language, and the hedges ("nearly 94,400",
 * "iets meer dan 74.000") that must never be false. One rounding rule for the whole edition, chosen by magnitude:
 *
 *   |x| < 1,000          exact           (184)
 *   |x| < 1,000,000      to the hundred  (94,372 → 94,400; 9,719 → 9,700; 34,396 → 34,400)
 *   otherwise            to the thousand (6,864,766 → 6,865,000)
 *
 * A hedge compares the exact value with the rounded one it precedes: "nearly X" only when the value is below X,
 * "just over X" only when it is above, nothing when they are equal. Negative values get "rounded to" (for them
 * "more than −6,500" would read as the opposite of what is meant).
 */
import type { Lang } from "../core/domain.ts";
export type HedgeStyle = "directional" | "approximate" | "rounded";
export type Hedge = "nearly" | "just-over" | "approximately" | "rounded-to" | "none";

const INTL: Record<Lang, string> = { nl: "nl-BE", en: "en-GB" };
const MINUS = "\u2212";
/** One word per hedge and language, used for every number of the edition (the README's hedge table). */
const HEDGE_WORDS: Record<Lang, Record<Exclude<Hedge, "none">, string>> = {
  en: {
    nearly: "nearly",
    "just-over": "just over",
    approximately: "approximately",
    "rounded-to": "rounded to",
  },
  nl: {
    nearly: "bijna",
    "just-over": "iets meer dan",
    approximately: "ongeveer",
    "rounded-to": "afgerond",
  },
};

export function roundingUnit(x: number): number {
  const a = Math.abs(x);
  if (a < 1_000) return 1;
  if (a < 1_000_000) return 100;
  return 1_000;
}

/** Rounds half away from zero to the edition's unit (so −6,550 → −6,600 and 6,550 → 6,600 alike). */
export function roundForText(x: number): number {
  const u = roundingUnit(x);
  const r = Math.sign(x) * Math.round(Math.abs(x) / u) * u;
  return r === 0 ? 0 : r;
}

export interface Words {
  text: string;
  hedge: Hedge;
  /** the value as written (rounded) */
  shown: number;
}

export class NumberWords {
  readonly lang: Lang;
  private readonly int: Intl.NumberFormat;
  private readonly dec1: Intl.NumberFormat;
  constructor(lang: Lang) {
    this.lang = lang;
    this.int = new Intl.NumberFormat(INTL[lang], { maximumFractionDigits: 0, useGrouping: true });
    this.dec1 = new Intl.NumberFormat(INTL[lang], { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  }

  /** 94400 → "94,400" / "94.400"; negative numbers with a true minus sign. */
  integer(x: number, signed = false): string {
    const sign = x < 0 ? MINUS : signed && x > 0 ? "+" : "";
    return `${sign}${this.int.format(Math.abs(x))}`;
  }

  /** One decimal: 10.1 / 10,1. */
  decimal(x: number, signed = false): string {
    const sign = x < 0 ? MINUS : signed && x > 0 ? "+" : "";
    return `${sign}${this.dec1.format(Math.abs(x))}`;
  }

  /** A share (0–1) as a percentage: whole percent from 1% up, one decimal below (0.3%). */
  percent(share: number): string {
    const p = share * 100;
    const whole = Math.round(p);
    const text = p < 1 || whole === 0 ? this.dec1.format(p) : this.int.format(whole);
    return `${text}%`;
  }

  /** A count with a truthful hedge, e.g. "nearly 94,400". */
  hedged(x: number, style: HedgeStyle, signed = false): Words {
    const shown = roundForText(x);
    const num = this.integer(shown, signed);
    let hedge: Hedge;
    if (shown === x) hedge = "none";
    else if (style === "approximate") hedge = "approximately";
    else if (style === "rounded" || x < 0) hedge = "rounded-to";
    else hedge = x < shown ? "nearly" : "just-over";
    const words = HEDGE_WORDS[this.lang];
    const word = hedge === "none" ? "" : words[hedge];
    return { text: word ? `${word} ${num}` : num, hedge, shown };
  }

  /** A share as a fraction in words: "nearly half", "just over a third", "a quarter". Undefined when none fits. */
  fraction(share: number): Words | undefined {
    const fractions: [number, Record<Lang, string>][] = [
      [1 / 4, { en: "a quarter", nl: "een kwart" }],
      [1 / 3, { en: "a third", nl: "een derde" }],
      [1 / 2, { en: "half", nl: "de helft" }],
      [2 / 3, { en: "two thirds", nl: "twee derde" }],
      [3 / 4, { en: "three quarters", nl: "drie kwart" }],
    ];
    const near = fractions
      .filter(([f]) => Math.abs(share - f) <= 0.04)
      .sort((a, b) => Math.abs(share - a[0]) - Math.abs(share - b[0]))[0];
    if (!near) return undefined;
    const [f, names] = near;
    // within half a percentage point counts as the fraction itself
    const hedge: Hedge = Math.abs(share - f) < 0.005 ? "none" : share < f ? "nearly" : "just-over";
    const word = hedge === "none" ? "" : HEDGE_WORDS[this.lang][hedge as "nearly" | "just-over"];
    return { text: word ? `${word} ${names[this.lang]}` : names[this.lang], hedge, shown: f };
  }

  /** "4 out of 10" / "4 op de 10", hedged when the share is not a whole tenth. */
  outOfTen(share: number): Words {
    const n = Math.round(share * 10);
    const hedge: Hedge = Math.abs(share * 10 - n) < 0.05 ? "none" : share * 10 < n ? "nearly" : "just-over";
    const word = hedge === "none" ? "" : HEDGE_WORDS[this.lang][hedge as "nearly" | "just-over"];
    const core = this.lang === "en" ? `${n} out of 10` : `${n} op de 10`;
    return { text: word ? `${word} ${core}` : core, hedge, shown: n / 10 };
  }
}

/** Parses a number written by `NumberWords.integer` back (for tests and checks). */
export function parseWritten(text: string, lang: Lang): number {
  const t = text.replace(MINUS, "-").replace("+", "");
  return Number(lang === "nl" ? t.replaceAll(".", "").replace(",", ".") : t.replaceAll(",", ""));
}

export function intlLocale(lang: Lang): string {
  return INTL[lang];
}
