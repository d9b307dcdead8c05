import type { Config } from "../config/schema.ts";
import type { Lang } from "../core/domain.ts";
import type { PrintOptions } from "../effects.ts";
import type { Locale } from "../i18n/locale.ts";

/** The running header, footer and document information of an edition's PDF. */
export function printOptionsFor(o: {
  config: Config;
  lang: Lang;
  year: number;
  locale: Locale;
  areaName: string;
  headline: string;
  fontFace: string;
  /** the date the PDF states */
  date: Date;
}): PrintOptions {
  const { config, lang, year, locale } = o;
  const title = `${config.title[lang]} ${year}`;
  return {
    lang,
    header: `${config.publisher[lang]} · ${title}`,
    footer: locale.t("page_of"),
    fontFace: o.fontFace,
    date: o.date,
    info: {
      title: `${title} — ${o.areaName}`,
      subject: o.headline,
      keywords: [
        config.title[lang],
        locale.t("term_immigration"),
        locale.t("term_emigration"),
        locale.t("term_balance"),
        String(year),
      ].join(", "),
      author: config.publisher[lang],
      creator: "migration-bulletin",
    },
  };
}
