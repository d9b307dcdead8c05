import { parse } from "yaml";
import type { Lang } from "../core/domain.ts";
import { intlLocale, NumberWords } from "./wording.ts";

/** One edition's language: labels from templates/locales/<lang>.yml, number words, dates and lists. */
export interface Locale {
  lang: Lang;
  intl: string;
  labels: Record<string, string>;
  t(key: string, vars?: Record<string, string | number>): string;
  numbers: NumberWords;
  list(items: string[], type?: "conjunction" | "disjunction"): string;
  date(iso: string): string;
  month(isoMonth: string): string;
}

export function makeLocale(lang: Lang, yamlText: string, file: string): Locale {
  const labels = parse(yamlText) as Record<string, string>;
  const intl = intlLocale(lang);
  const lists = {
    conjunction: new Intl.ListFormat(intl, { type: "conjunction" }),
    disjunction: new Intl.ListFormat(intl, { type: "disjunction" }),
  };
  const dateFmt = new Intl.DateTimeFormat(intl, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  const monthFmt = new Intl.DateTimeFormat(intl, { month: "long", year: "numeric", timeZone: "UTC" });
  return {
    lang,
    intl,
    labels,
    t(key, vars) {
      const v = labels[key];
      if (v === undefined) throw new Error(`${file}: missing label \`${key}\``);
      return vars ? v.replace(/\{(\w+)\}/g, (_m, k: string) => String(vars[k] ?? `{${k}}`)) : v;
    },
    numbers: new NumberWords(lang),
    // en-GB lists take no serial comma ("Bertem, Hoeilaart and Zemst"), nl "Bertem, Hoeilaart en Zemst"
    list: (items, type = "conjunction") => lists[type].format(items),
    date: (iso) => dateFmt.format(new Date(`${iso}T00:00:00Z`)),
    month: (m) => monthFmt.format(new Date(`${m}-01T00:00:00Z`)),
  };
}

/** Keys present in one locale file and missing in another. */
export function localeKeyDiff(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): { onlyA: string[]; onlyB: string[] } {
  return {
    onlyA: Object.keys(a).filter((k) => !(k in b)),
    onlyB: Object.keys(b).filter((k) => !(k in a)),
  };
}
