import type { Indicators } from "../indicators/types.ts";
import { resolvePath } from "./parts.ts";

/** A count that reads as a number: published, or hidden as "<5" (a count of 1 to minCount − 1). */
const numbered = (ind: Indicators, path: string) =>
  resolvePath(ind, path) !== null || (ind.disclosure?.primary.includes(path) ?? false);

/** Derived lookups for the templates: paths into the indicators, sorted as the text needs them. */
export function viewOf(ind: Indicators) {
  return { ...listsView(ind), ...statesView(ind) };
}

/** Paths sorted and picked as the sentences need them: components, groups, the EU rows, regions, municipalities. */
function listsView(ind: Indicators) {
  const sortedPaths = <T>(arr: T[], base: string, key: (x: T) => number) =>
    arr
      .map((x, i) => ({ x, path: `${base}.${i}` }))
      .sort((a, b) => key(b.x) - key(a.x))
      .map((e) => e.path);
  const groupIndex = (g: string) => ind.nationalityGroups.rows.findIndex((r) => r.group === g);
  const euIndex = (geo: string) => ind.eu.rows.findIndex((r) => r.geo === geo);
  const latestRegions = ind.regions.series.filter((r) => r.year === ind.meta.year);
  // of the municipalities whose balance is published (the others are not counted either way)
  const share = ind.municipalities.positive / (ind.municipalities.published ?? ind.municipalities.rows.length);
  return {
    // the components whose share is published, largest first, and those disclosure control hides (in code-list
    // order: an order by size would tell about them)
    immigrationBySize: sortedPaths(ind.components.immigration, "components.immigration", (c) => c.share).filter(
      (p) => resolvePath(ind, `${p}.share`) !== null,
    ),
    emigrationBySize: sortedPaths(ind.components.emigration, "components.emigration", (c) => c.share).filter(
      (p) => resolvePath(ind, `${p}.share`) !== null,
    ),
    immigrationHidden: ind.components.immigration
      .map((_, i) => `components.immigration.${i}`)
      .filter((p) => resolvePath(ind, `${p}.share`) === null),
    emigrationHidden: ind.components.emigration
      .map((_, i) => `components.emigration.${i}`)
      .filter((p) => resolvePath(ind, `${p}.share`) === null),
    groupsByImmigration: sortedPaths(ind.nationalityGroups.rows, "nationalityGroups.rows", (r) => r.immigrationShare),
    group: {
      BE: `nationalityGroups.rows.${groupIndex("BE")}`,
      EU27: `nationalityGroups.rows.${groupIndex("EU27")}`,
      nonEU: `nationalityGroups.rows.${groupIndex("non-EU")}`,
    },
    largestGroup: `nationalityGroups.rows.${groupIndex(ind.nationalityGroups.largestImmigrationGroup)}`,
    negativeGroups: ind.nationalityGroups.rows
      .map((r, i) => ({ r, i }))
      .filter((e) => e.r.balance < 0)
      .map((e) => `nationalityGroups.rows.${e.i}`),
    positiveGroups: ind.nationalityGroups.rows
      .map((r, i) => ({ r, i }))
      .filter((e) => e.r.balance >= 0)
      .map((e) => `nationalityGroups.rows.${e.i}`),
    municipalShare: share === 1 ? "all" : share >= 0.9 ? "almost-all" : share > 0.5 ? "most" : "minority",
    eu: {
      region: `eu.rows.${euIndex(ind.eu.regionGeo)}`,
      eu27: `eu.rows.${euIndex("EU27_2020")}`,
      belgium: `eu.rows.${euIndex("BE")}`,
      brussels: `eu.rows.${euIndex("BE1")}`,
    },
    /** what Eurostat's flags say of each stated value: "", "provisional", "estimated" or "provisional-estimated" */
    euStatus: Object.fromEntries(
      (["region", "eu27", "belgium", "brussels"] as const).map((k) => {
        const geo = { region: ind.eu.regionGeo, eu27: "EU27_2020", belgium: "BE", brussels: "BE1" }[k];
        const f = ind.eu.rows[euIndex(geo)]?.flags ?? "";
        return [
          k,
          [f.includes("p") ? "provisional" : "", f.includes("e") ? "estimated" : ""].filter(Boolean).join("-"),
        ];
      }),
    ) as Record<"region" | "eu27" | "belgium" | "brussels", string>,
    euRegionBelowEu27:
      (ind.eu.rows[euIndex(ind.eu.regionGeo)]?.ratePer1000 ?? 0) <
      (ind.eu.rows[euIndex("EU27_2020")]?.ratePer1000 ?? 0),
    euYearLags: ind.eu.year !== null && ind.eu.year < ind.meta.year,
    regionsLatest: latestRegions.map((r) => `regions.series.${ind.regions.series.indexOf(r)}`),
    regionsSteady: ind.regions.steadyRise.length > 0,
    /** the rows of the municipalities named for the highest balances (the sentence gives each its value) */
    highestRows: (ind.municipalities.topClass.members.length
      ? ind.municipalities.topClass.members
      : ind.municipalities.highest
    )
      .map((nis) => ind.municipalities.rows.findIndex((r) => r.nis === nis))
      .filter((k) => k >= 0)
      .map((k) => `municipalities.rows.${k}`),
    /** the region much higher per 1,000 is the one highly variable region: one sentence says both */
    muchHigherVariable:
      ind.regions.muchHigher !== null &&
      ind.regions.highlyVariable.length === 1 &&
      ind.regions.highlyVariable[0] === ind.regions.muchHigher,
  };
}

/** What the sentences decide on: the regions' shapes, what is hidden, ranked or revised, the headline's directions. */
function statesView(ind: Indicators) {
  return {
    /** each region that rose with falls, with the paths of its falls (the sentence names them) */
    // a highly variable region has its own word ("a highly variable pattern")
    regionsRisingWithFalls: ind.regions.risingWithFalls
      .map((r, i) => ({ r, path: `regions.risingWithFalls.${i}` }))
      .filter((x) => !ind.regions.highlyVariable.includes(x.r))
      .map((x) => ({
        path: x.path,
        falls: (ind.regions.shapes[x.r]?.falls ?? []).map((_, k) => `regions.shapes.${x.r}.falls.${k}`),
      })),
    regionsVariable: ind.regions.highlyVariable.length > 0,
    /** one sentence contrasts the steady regions with the one much higher and variable (the seed's sentence) */
    regionsContrast:
      ind.regions.steadyRise.length > 0 &&
      ind.regions.muchHigher !== null &&
      ind.regions.highlyVariable.length === 1 &&
      ind.regions.highlyVariable[0] === ind.regions.muchHigher &&
      !ind.regions.steadyRise.includes(ind.regions.muchHigher),
    /** the year's balance is published (hidden by disclosure control, the sentence is written for it: #29) */
    balanceShown: ind.headline.balance !== null,
    /** a merger inside the years shown changed the edition's municipality or an area it shows (composition.ts) */
    compositionChanged: Boolean(ind.composition),
    /** a breakdown is published as its total only (a shared attribute of a few persons: apply.ts) */
    withheld: (ind.disclosure?.withheld?.length ?? 0) > 0,
    /** the year's and the period's counts can fill a slot for a number: published, or "<5" ("fewer than 5
     * immigrations"); an "x" cannot ("registered not published immigrations"), and its sentence is written without */
    yearCountsNumbered: numbered(ind, "headline.immigration") && numbered(ind, "headline.emigration"),
    periodCountsNumbered:
      numbered(ind, "municipalities.rows.0.immigration") && numbered(ind, "municipalities.rows.0.emigration"),
    /** a municipality's rank is said only when its rate is published */
    localRateShown: ind.local?.rates[0]?.ratePer1000 !== null,
    localRanked: (ind.local?.rank.position ?? 0) > 0 && ind.local?.rates[0]?.ratePer1000 !== null,
    /** the top nationalities named as the most frequent: those in rank order (down to the first hidden total), ≤ 3 */
    topNamed: Math.min(3, ind.topNationalities.ranked?.immigration ?? ind.topNationalities.immigration.length),
    /** some of the top nationalities follow unranked (a total hidden by disclosure control) */
    topUnranked:
      (ind.topNationalities.ranked?.immigration ?? ind.topNationalities.immigration.length) <
      ind.topNationalities.immigration.length,
    hasRevisions: ind.revisions !== null,
    revised: (ind.revisions?.totals.length ?? 0) > 0,
    otherRevised: (ind.revisions?.other.count ?? 0) > 0,
    revisionsLast: `revisions.years.${Math.max(0, (ind.revisions?.years.length ?? 1) - 1)}`,
    allRegionsPositiveSinceStart: Object.values(ind.regions.positiveSince).every((y) => y === ind.regions.first),
    balancePositive: ind.headline.balance > 0,
    /** the totals go back to the start of the region's long series (else: the flow years only) */
    longSeries: ind.meta.seriesSource === "long-series",
    immVsPrevious: ind.headline.previous.map((_, i) => `headline.previous.${i}`),
    sameDirection:
      (ind.headline.immigrationLowerThanAllPrevious && ind.headline.balanceLowerThanAllPrevious) ||
      (ind.headline.immigrationHigherThanAllPrevious && ind.headline.balanceHigherThanAllPrevious),
    emigrationMenMajority:
      ind.topNationalities.totalsBySex.emigration.men > ind.topNationalities.totalsBySex.emigration.women,
  };
}
