import type { Datasets } from "../data/read-datasets.ts";
import type { Area } from "./area.ts";
import { type DisclosureRule, type Line, rateReliable, suppress } from "./disclosure.ts";
import type { Indicators, LocalComparison, MunicipalityValue } from "./types.ts";

/*
 * A municipality's edition: its rate beside the areas it lies in, and its indicators as they may be published
 * (disclosure.ts): every count of 1–4 and every count that would let one be worked out is replaced by null, and so
 * is every figure derived from one (a balance, a share, a rate, a comparison). The edition's text, tables, charts
 * and downloads are made from these published indicators only.
 */

/** The municipality's average yearly balance per 1,000 beside its arrondissement, province and region; its rank. */
export function localComparison(
  area: Area,
  ds: Pick<Datasets, "municipalities" | "areas">,
  regionRows: MunicipalityValue[],
  periodYears: number,
  rule: DisclosureRule,
): LocalComparison {
  const muni = area.municipalities[0]!;
  const byNis = new Map(regionRows.map((r) => [r.nis, r]));
  const members = (column: string, code: string) =>
    ds.municipalities.rows
      .filter((m) => m[column] === code)
      .map((m) => byNis.get(m.nis as string))
      .filter(Boolean) as MunicipalityValue[];
  const rateOf = (rows: MunicipalityValue[]) => {
    const balance = rows.reduce((s, r) => s + r.balance, 0);
    const population = rows.reduce((s, r) => s + r.averagePopulation, 0);
    return { balance, population, ratePer1000: population ? (balance / periodYears / population) * 1000 : 0 };
  };
  const own = byNis.get(area.nis);
  const label = (nis: string) => {
    const a = ds.areas.rows.find((r) => r.nis === nis);
    return { nl: (a?.name_nl as string) ?? nis, en: (a?.name_en as string) ?? nis };
  };
  const arr = muni.arrondissement as string;
  const inArr = members("arrondissement", arr).sort(
    (a, b) => b.ratePer1000 - a.ratePer1000 || a.nis.localeCompare(b.nis),
  );
  return {
    rates: [
      { level: "municipality", nis: area.nis, label: area.label, ...rateOf(own ? [own] : []) },
      { level: "arrondissement", nis: arr, label: label(arr), ...rateOf(inArr) },
      {
        level: "province",
        nis: muni.province as string,
        label: label(muni.province as string),
        ...rateOf(members("province", muni.province as string)),
      },
      { level: "region", nis: area.region, label: label(area.region), ...rateOf(members("region", area.region)) },
    ],
    rank: { position: inArr.findIndex((r) => r.nis === area.nis) + 1, of: inArr.length, arrondissement: arr },
    rateReliable: own ? rateReliable(rule, own.averagePopulation, own.immigration + own.emigration) : false,
  };
}

type Path = string;
const get = (o: unknown, path: Path): unknown =>
  path
    .split(".")
    .reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), o);
function set(o: unknown, path: Path, value: unknown) {
  const keys = path.split(".");
  const last = keys.pop()!;
  const parent = get(o, keys.join(".")) as Record<string, unknown> | undefined;
  if (parent && last in parent) parent[last] = value;
}

/** The published indicators of a municipality's edition (see the top of this file). Pure: a copy is returned. */
export function discloseIndicators(ind: Indicators, rule: DisclosureRule): Indicators {
  const out = structuredClone(ind);
  const dirs = ["immigration", "emigration"] as const;
  const { values, aliases, lines, yearTotal } = quantitiesOf(ind);
  const s = suppress(values, lines, rule);
  const primary = [...s.primary].flatMap((id) => aliases.get(id) ?? []);
  const secondary = [...s.secondary].flatMap((id) => aliases.get(id) ?? []);
  const hidden = (id: string) => s.primary.has(id) || s.secondary.has(id);
  const { derived, periodHidden } = derivedOf(ind, hidden, yearTotal);
  for (const p of [...primary, ...secondary, ...derived]) set(out, p, null);
  if (periodHidden) {
    out.municipalities.negative = [];
    out.municipalities.zero = [];
    out.municipalities.topClass.members = [];
    out.municipalities.highest = [];
  }
  const moved = rankedUntilHidden(out);
  const renumber = (p: string) => {
    const m = /^topNationalities\.(immigration|emigration)\.\d+\./.exec(p);
    const to = m && moved.get(m[0]);
    return to ? to + p.slice(m[0].length) : p;
  };
  // lists that would tell a hidden comparison
  for (const d of dirs)
    out.topNationalities.womenMajority[d] = out.topNationalities[d]
      .filter((n) => n.majority === "women")
      .map((n) => n.code);
  out.disclosure = {
    minCount: rule.minCount,
    primary: primary.map(renumber),
    secondary: [...secondary, ...derived].map(renumber),
    rateMinPopulation: rule.rateMinPopulation,
    rateMinEvents: rule.rateMinEvents,
  };
  return out;
}

/**
 * The ranking must not tell about a hidden total: a total hidden as "x" between two published ones would be known
 * to lie between them, and hidden totals in a strict order would be pinned (four of them: 4, 3, 2, 1). So the list
 * is in rank order only down to its first hidden total; the rest follow by code, unranked (the text says so), and
 * every published path into the list is renumbered with it (the map returned: old prefix → new).
 */
function rankedUntilHidden(out: Indicators): Map<string, string> {
  const dirs = ["immigration", "emigration"] as const;
  const moved = new Map<string, string>();
  for (const d of dirs) {
    const list = out.topNationalities[d];
    // a list of names without numbers is in rank order throughout (no number of it is published)
    const cut = out.topNationalities.counts === false ? -1 : list.findIndex((n) => n.total === null);
    out.topNationalities.ranked = { ...out.topNationalities.ranked!, [d]: cut < 0 ? list.length : cut };
    if (cut < 0) continue;
    const order = list.map((n, k) => ({ n, k }));
    const rest = order.slice(cut).sort((a, b) => a.n.code.localeCompare(b.n.code));
    const next = [...order.slice(0, cut), ...rest];
    // their ranks would tell the order too
    out.topNationalities[d] = next.map((x, k) => (k < cut ? x.n : { ...x.n, rank: null as unknown as number }));
    next.forEach((x, k) => {
      if (x.k !== k) moved.set(`topNationalities.${d}.${x.k}.`, `topNationalities.${d}.${k}.`);
    });
  }
  return moved;
}

/** The counts an edition publishes (each with every path it is shown under) and the sums they make. */
function quantitiesOf(ind: Indicators) {
  const values = new Map<string, number>();
  /** every path a quantity is shown under: the first is its id */
  const aliases = new Map<string, Path[]>();
  const q = (id: string, ...paths: Path[]) => {
    const v = get(ind, paths[0]!);
    if (typeof v !== "number") return undefined;
    values.set(id, v);
    aliases.set(id, [...(aliases.get(id) ?? []), ...paths]);
    return id;
  };
  const lines: Line[] = [];
  const dirs = ["immigration", "emigration"] as const;
  // the yearly totals (the series; the headline and the previous years are the same numbers)
  const yearTotal = (year: number, dir: string) => `${dir}|${year}`;
  ind.series.forEach((s, i) => {
    for (const d of dirs) {
      const paths = [`series.${i}.${d}`];
      if (s.year === ind.meta.year) paths.push(`headline.${d}`);
      ind.headline.previous.forEach((p, k) => {
        if (p.year === s.year) paths.push(`headline.previous.${k}.${d}`);
      });
      if (i === 0) paths.push(`seriesFacts.start.${d}`);
      q(yearTotal(s.year, d), ...paths);
    }
  });
  // components per year and direction add up to the year's total
  const byYear = new Map<string, string[]>();
  ind.components.byYear.forEach((c, k) => {
    const paths = [`components.byYear.${k}.count`];
    if (c.year === ind.components.year) {
      const j = ind.components[c.direction].findIndex((x) => x.code === c.code);
      if (j >= 0) paths.push(`components.${c.direction}.${j}.count`);
    }
    const id = q(`component|${c.year}|${c.direction}|${c.code}`, ...paths)!;
    const key = yearTotal(c.year, c.direction);
    byYear.set(key, [...(byYear.get(key) ?? []), id]);
  });
  for (const [total, parts] of byYear) if (values.has(total)) lines.push({ parts, total });
  // nationality groups of the year add up to its total
  for (const d of dirs) {
    const parts = ind.nationalityGroups.rows.map(
      (g, k) => q(`group|${d}|${g.group}`, `nationalityGroups.rows.${k}.${d}`)!,
    );
    lines.push({ parts, total: yearTotal(ind.meta.year, d) });
    // men and women of the year add up to its total, and each top nationality's men and women to its total
    const m = q(`sex|${d}|men`, `topNationalities.totalsBySex.${d}.men`)!;
    const w = q(`sex|${d}|women`, `topNationalities.totalsBySex.${d}.women`)!;
    lines.push({ parts: [m, w], total: yearTotal(ind.meta.year, d) });
    // a list of names without numbers (indicators/compute-indicators.ts) has no counts to protect
    if (ind.topNationalities.counts !== false)
      ind.topNationalities[d].forEach((n, k) => {
        const base = `topNationalities.${d}.${k}`;
        lines.push({
          parts: [q(`nat|${d}|${n.code}|men`, `${base}.men`)!, q(`nat|${d}|${n.code}|women`, `${base}.women`)!],
          total: q(`nat|${d}|${n.code}`, `${base}.total`)!,
        });
      });
    // the period's sum of the yearly totals
    const row = "municipalities.rows.0";
    const period = q(`period|${d}`, `${row}.${d}`);
    if (period)
      lines.push({
        parts: ind.series
          .filter((s) => s.year >= ind.municipalities.from && s.year <= ind.municipalities.to)
          .map((s) => yearTotal(s.year, d)),
        total: period,
      });
  }
  return { values, aliases, lines, yearTotal };
}

/** The figures made from a hidden count (balances, shares, rates, comparisons): hidden with it. */
function derivedOf(ind: Indicators, hidden: (id: string) => boolean, yearTotal: (year: number, dir: string) => string) {
  const dirs = ["immigration", "emigration"] as const;
  const derived: Path[] = [];
  ind.series.forEach((x, i) => {
    if (hidden(yearTotal(x.year, "immigration")) || hidden(yearTotal(x.year, "emigration"))) {
      derived.push(`series.${i}.balance`);
      if (x.year === ind.meta.year) derived.push("headline.balance");
      ind.headline.previous.forEach((p, k) => {
        if (p.year === x.year) derived.push(`headline.previous.${k}.balance`);
      });
      if (i === 0) derived.push("seriesFacts.start.balance");
    }
  });
  const anyYearHidden = ind.series.some((x) => derived.includes(`series.${ind.series.indexOf(x)}.balance`));
  if (anyYearHidden)
    derived.push("seriesFacts.maxBalance.value", "seriesFacts.minBalance.value", "seriesFacts.firstDecade.meanBalance");
  ind.components.byYear.forEach((c, k) => {
    if (hidden(`component|${c.year}|${c.direction}|${c.code}`) || hidden(yearTotal(c.year, c.direction))) {
      derived.push(`components.byYear.${k}.share`);
      if (c.year === ind.components.year) {
        const j = ind.components[c.direction].findIndex((x) => x.code === c.code);
        if (j >= 0) derived.push(`components.${c.direction}.${j}.share`);
      }
    }
  });
  ind.nationalityGroups.rows.forEach((g, k) => {
    const hi = hidden(`group|immigration|${g.group}`);
    if (hi || hidden(`group|emigration|${g.group}`)) derived.push(`nationalityGroups.rows.${k}.balance`);
    if (hi || hidden(yearTotal(ind.meta.year, "immigration")))
      derived.push(`nationalityGroups.rows.${k}.immigrationShare`);
  });
  for (const d of dirs)
    ind.topNationalities[d].forEach((n, k) => {
      if (hidden(`nat|${d}|${n.code}|men`) || hidden(`nat|${d}|${n.code}|women`))
        derived.push(`topNationalities.${d}.${k}.majority`);
    });
  const periodHidden = hidden("period|immigration") || hidden("period|emigration");
  if (periodHidden)
    derived.push(
      "municipalities.rows.0.balance",
      "municipalities.rows.0.ratePer1000",
      // whether its rate is reliable tells about its counts too (fewer than rateMinEvents movements)
      "municipalities.rows.0.reliable",
      "local.rates.0.balance",
      "local.rates.0.ratePer1000",
      // the rank and the sign of a hidden balance tell about it too
      "local.rank.position",
      "municipalities.positive",
    );
  if (anyYearHidden) derived.push("seriesFacts.maxBalance.year", "seriesFacts.minBalance.year");
  if (ind.nationalityGroups.rows.some((g) => hidden(`group|immigration|${g.group}`)))
    derived.push("nationalityGroups.largestImmigrationGroup");
  const headlineHidden =
    hidden(yearTotal(ind.meta.year, "immigration")) ||
    hidden(yearTotal(ind.meta.year, "emigration")) ||
    ind.headline.previous.some(
      (p) => hidden(yearTotal(p.year, "immigration")) || hidden(yearTotal(p.year, "emigration")),
    );
  if (headlineHidden)
    derived.push(
      "headline.immigrationLowerThanAllPrevious",
      "headline.immigrationHigherThanAllPrevious",
      "headline.balanceLowerThanAllPrevious",
      "headline.balanceHigherThanAllPrevious",
    );
  return { derived, periodHidden };
}
