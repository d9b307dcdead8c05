import type { EditionKey, Lang } from "../core/domain.ts";
import type { Config } from "./schema.ts";

/** What editions a command asks for: a list, or a year × areas × languages (each defaulting to config.yml). */
export interface EditionRequest {
  editions?: EditionKey[];
  year?: number;
  areas?: string[];
  langs?: Lang[];
}
/** year → area → languages, in the order asked */
export type EditionPlan = Map<number, Map<string, Lang[]>>;

/** The editions of a request, grouped by year and area: indicators are computed once per (year, area). */
export function planEditions(config: Config, req: EditionRequest): EditionPlan {
  const list =
    req.editions ??
    (req.areas ?? [config.geography.region]).flatMap((area) =>
      (req.langs ?? config.languages).map((lang) => ({ year: req.year ?? config.year, area, lang })),
    );
  const plan: EditionPlan = new Map();
  for (const e of list) {
    const byArea = plan.get(e.year) ?? new Map<string, Lang[]>();
    plan.set(e.year, byArea);
    const langs = byArea.get(e.area) ?? [];
    if (!langs.includes(e.lang)) langs.push(e.lang);
    byArea.set(e.area, langs);
  }
  return plan;
}

export const languagesOf = (plan: EditionPlan): Lang[] => [
  ...new Set([...plan.values()].flatMap((m) => [...m.values()].flat())),
];
