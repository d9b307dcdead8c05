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
  /** the edition is of another area than the bulletin's own: the running header names it */
  otherArea?: boolean;
  /** the edition's publication date (YYYY-MM-DD): the date the PDF states, unless… */
  published: string;
  /** …SOURCE_DATE_EPOCH (seconds since 1970) is given: the reproducible-builds convention */
  sourceDateEpoch?: number | undefined;
}): PrintOptions {
  const { config, lang, year, locale } = o;
  const title = `${config.title[lang]} ${year}`;
  return {
    lang,
    header: `${config.publisher[lang]} · ${title}${o.otherArea ? ` · ${o.areaName}` : ""}`,
    footer: locale.t("page_of"),
    date: o.sourceDateEpoch !== undefined ? new Date(o.sourceDateEpoch * 1000) : new Date(`${o.published}T00:00:00Z`),
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
