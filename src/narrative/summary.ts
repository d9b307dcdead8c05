import type { Locale } from "../i18n/locale.ts";
import type { Narrative } from "./write-narrative.ts";

/**
 * What the e-mail says, taken from the narrative so its words are the bulletin's words: the headline and the key
 * figures of the first section, as worded there. Plain text throughout (no markup, entities decoded).
 */
export interface EditionSummary {
  title: string;
  /** an edition of another area than the bulletin's own: that area, as its heading names it */
  area?: string;
  headline: string;
  published: string;
  keyFigures: { label: string; words: string; indicator: string }[];
}

export function summarize(
  n: Narrative,
  locale: Locale,
  title: string,
  published: string,
  area?: string,
): EditionSummary {
  const words = (indicator: string) =>
    n.facts.find((f) => f.section === "headline" && f.indicator === indicator)?.words ?? "";
  return {
    title,
    ...(area ? { area } : {}),
    headline: n.sections.headline!.headlineText,
    published: locale.date(published),
    keyFigures: [
      { label: locale.t("immigration"), words: words("headline.immigration"), indicator: "headline.immigration" },
      { label: locale.t("emigration"), words: words("headline.emigration"), indicator: "headline.emigration" },
      { label: locale.t("balance"), words: words("headline.balance"), indicator: "headline.balance" },
    ].map((k) => ({ ...k, words: k.words.charAt(0).toLocaleLowerCase(locale.intl) + k.words.slice(1) })),
  };
}
