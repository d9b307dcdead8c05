import { problem } from "../errors/messages.ts";
import type { Problem } from "../errors/problem.ts";
import type { Config, Edition } from "./schema.ts";

/** The locale key of the synthetic-data notice of a year's edition: calibrated to published figures, or to none. */
export const syntheticNoticeKey = (config: Config, year: number): string =>
  (config.syntheticCalibratedUntil ?? Number.POSITIVE_INFINITY) < year
    ? "synthetic_notice_uncalibrated"
    : "synthetic_notice";

/**
 * The dates and notes of a year's edition of `area`; a year without an `editions` entry gets `today` and a warning.
 * Editorial notes are written for the bulletin's own area (`geography.region`); other areas' editions carry none.
 */
export function editionOf(
  config: Config,
  year: number,
  o: { configPath: string; today: string; area: string },
): { edition: Edition; problem?: Problem } {
  const edition = config.editions[String(year)];
  if (edition)
    return {
      edition: o.area === config.geography.region ? edition : { ...edition, notes: { nl: {}, en: {}, claims: {} } },
    };
  return {
    edition: { published: o.today, nextUpdate: `${year + 2}-07`, notes: { nl: {}, en: {}, claims: {} } },
    problem: problem("no-edition", { file: o.configPath }, { year, today: o.today }),
  };
}
