import { SECTION_IDS, type SectionId } from "../core/domain.ts";
import { machineTable } from "./machine-tables.ts";
import { municipalities } from "./map.ts";
import { municipalCharts } from "./municipal.ts";
import { shownValue } from "./shown.ts";
import { base, type ChartInput, type ChartSpec, WIDTH } from "./spec-base.ts";
import { PALETTE } from "./theme.ts";

export type { ChartInput, ChartSpec };

/*
 * Why one file: the six figures other than the map (map.ts) are short builders that share the year axis and the
 * palette; one file per figure would be seven files of 40 lines importing each other's helpers.
 */

const BUILDERS: Record<SectionId, (input: ChartInput) => ChartSpec> = {
  headline,
  components,
  "nationality-groups": nationalityGroups,
  "top-nationalities": topNationalities,
  municipalities,
  regions,
  "eu-comparison": euComparison,
};

/** One builder per figure; pure. Labels and number formats come from the edition's locale. */
export function buildChartSpecs(input: ChartInput, sectionIds: readonly SectionId[] = SECTION_IDS): ChartSpec[] {
  // a municipality's edition: its own figures, from its published indicators (disclosure control)
  if (input.indicators.meta.areaLevel === "municipality") return municipalCharts(input, sectionIds);
  return sectionIds.map((id) => ({ ...BUILDERS[id](input), data: machineTable(id, input.indicators, input.locale) }));
}

function headline(input: ChartInput): ChartSpec {
  const { indicators: ind, locale } = input;
  const t = locale.t.bind(locale);
  const rows = ind.series.map(
    (s, k) =>
      [String(s.year), ...["immigration", "emigration", "balance"].map((f) => shownValue(ind, `series.${k}.${f}`))] as (
        | string
        | number
      )[],
  );
  const values = ind.series.flatMap((s) => [
    { year: s.year, measure: t("immigration"), value: s.immigration },
    { year: s.year, measure: t("emigration"), value: s.emigration },
    { year: s.year, measure: t("balance"), value: s.balance },
  ]);
  const breaks = ind.seriesFacts.breaks.map((b) => ({ year: b.year, label: t("term_break") }));
  const domain = [t("immigration"), t("emigration"), t("balance")];
  return {
    id: "headline",
    columns: [t("year"), t("immigration"), t("emigration"), t("balance")],
    rows,
    spec: base(input, "headline", {
      width: WIDTH,
      height: 300,
      layer: [
        {
          data: { values: breaks },
          mark: { type: "rule", strokeDash: [4, 3], color: PALETTE.grey },
          encoding: { x: { field: "year", type: "quantitative", scale: { zero: false } } },
        },
        {
          data: { values: breaks },
          mark: { type: "text", align: "left", dx: 4, dy: -4, baseline: "top", color: "#555" },
          encoding: {
            x: { field: "year", type: "quantitative", scale: { zero: false } },
            y: { value: 0 },
            text: { field: "label" },
          },
        },
        {
          data: { values },
          mark: { type: "line", strokeWidth: 2.2 },
          encoding: {
            x: yearAxis(ind.series.map((s) => s.year)),
            y: { field: "value", type: "quantitative", title: null, axis: { format: ",d" } },
            color: {
              field: "measure",
              type: "nominal",
              title: null,
              scale: { domain, range: [PALETTE.blue, PALETTE.orange, PALETTE.green] },
            },
          },
        },
      ],
    }),
  };
}

function components(input: ChartInput): ChartSpec {
  const { indicators: ind, locale } = input;
  const t = locale.t.bind(locale);
  const label = (dir: string, code: string) => ind.labels.components[`${dir}:${code}`]?.[locale.lang] ?? code;
  const values = ind.components.byYear.map((c, k) => ({
    year: String(c.year),
    direction: t(c.direction),
    component: label(c.direction, c.code),
    order: ["strict", "re-registration", "official-deletion", "from-waiting-register", "to-waiting-register"].indexOf(
      c.code,
    ),
    count: c.count,
    share: c.share,
    // a count hidden by disclosure control: its marker ("<5", "x") in the table, above its year's bar in the chart
    shownCount: shownValue(ind, `components.byYear.${k}.count`),
    shownShare: c.share === null ? shownValue(ind, `components.byYear.${k}.share`) : Number((c.share * 100).toFixed(1)),
  }));
  const domain = ["immigration", "emigration"].flatMap((d) =>
    ind.components[d as "immigration"].map((c) => label(d, c.code)),
  );
  // the hidden counts of a year and direction, as one label above the bar of the counts that are published
  const tops = new Map<string, { year: string; direction: string; top: number; markers: string[] }>();
  for (const v of values) {
    const id = `${v.year}|${v.direction}`;
    const e = tops.get(id) ?? { year: v.year, direction: v.direction, top: 0, markers: [] };
    if (v.count === null) e.markers.push(String(v.shownCount));
    else e.top += v.count;
    tops.set(id, e);
  }
  const markers = [...tops.values()]
    .filter((e) => e.markers.length)
    .map((e) => ({ year: e.year, direction: e.direction, count: e.top, marker: e.markers.join(" ") }));
  const hidden = values.filter((v) => v.count === null);
  const plotted = values.map(({ shownCount, shownShare, ...v }) => v);
  const bars = {
    mark: { type: "bar" },
    encoding: {
      x: { field: "year", type: "ordinal", title: null, axis: { labelAngle: 0 } },
      y: { field: "count", type: "quantitative", title: null, axis: { format: ",d" } },
      color: {
        field: "component",
        type: "nominal",
        title: null,
        scale: {
          domain,
          range: [PALETTE.blue, PALETTE.sky, PALETTE.purple, PALETTE.orange, PALETTE.vermillion, PALETTE.green],
        },
        legend: { columns: 2, orient: "bottom", direction: "vertical", labelLimit: 300 },
      },
      order: { field: "order", type: "quantitative" },
      tooltip: [{ field: "component" }, { field: "count", format: ",d" }, { field: "share", format: ".1%" }],
    },
  };
  // with hidden counts, a second layer writes their markers above the bar of their year
  const { x, y, ...byComponent } = bars.encoding;
  const inner = markers.length
    ? {
        encoding: { x, y },
        layer: [
          { transform: [{ filter: "datum.marker == null" }], mark: bars.mark, encoding: byComponent },
          {
            transform: [{ filter: "datum.marker != null" }],
            mark: { type: "text", baseline: "bottom", dy: -2, fontSize: 10, fontWeight: 600 },
            encoding: { y: { ...y, stack: null }, text: { field: "marker" } },
          },
        ],
      }
    : bars;
  const spec = base(input, "components", {
    data: { values: markers.length ? [...plotted.filter((v) => v.count !== null), ...markers] : plotted },
    facet: {
      column: { field: "direction", type: "nominal", title: null, sort: [t("immigration"), t("emigration")] },
    },
    spec: { width: 270, height: 260, ...inner },
    resolve: { scale: { y: "shared" } },
  });
  if (hidden.length)
    spec.description = `${spec.description} ${t("chart_hidden_values_stacked", { list: hidden.map((v) => `${v.component} ${v.year} (${v.shownCount})`).join(", ") })}`;
  return {
    id: "components",
    columns: [t("year"), t("direction"), t("component"), t("count"), t("share_pct")],
    rows: values.map((v) => [v.year, v.direction, v.component, v.shownCount, v.shownShare]),
    spec,
  };
}

function nationalityGroups(input: ChartInput): ChartSpec {
  const { indicators: ind, locale } = input;
  const t = locale.t.bind(locale);
  const values = ind.nationalityGroups.rows.flatMap((r) => [
    { group: t(`group_${r.group}`), measure: t("immigration"), value: r.immigration },
    { group: t(`group_${r.group}`), measure: t("emigration"), value: r.emigration },
    { group: t(`group_${r.group}`), measure: t("balance"), value: r.balance },
  ]);
  const measures = [t("immigration"), t("emigration"), t("balance")];
  return {
    id: "nationality-groups",
    columns: [t("group"), ...measures],
    rows: ind.nationalityGroups.rows.map((r, k) => [
      t(`group_${r.group}`),
      ...["immigration", "emigration", "balance"].map((f) => shownValue(ind, `nationalityGroups.rows.${k}.${f}`)),
    ]),
    spec: base(input, "nationality-groups", {
      width: WIDTH,
      height: 280,
      data: { values },
      mark: { type: "bar" },
      encoding: {
        x: {
          field: "group",
          type: "nominal",
          title: null,
          sort: ind.nationalityGroups.rows.map((r) => t(`group_${r.group}`)),
          axis: { labelAngle: 0 },
        },
        xOffset: { field: "measure", sort: measures },
        y: { field: "value", type: "quantitative", title: null, axis: { format: ",d" } },
        color: {
          field: "measure",
          type: "nominal",
          title: null,
          scale: { domain: measures, range: [PALETTE.blue, PALETTE.orange, PALETTE.green] },
        },
        tooltip: [{ field: "group" }, { field: "measure" }, { field: "value", format: ",d" }],
      },
    }),
  };
}

function topNationalities(input: ChartInput): ChartSpec {
  const { indicators: ind, locale } = input;
  const t = locale.t.bind(locale);
  const name = (code: string) => ind.labels.nationalities[code]?.[locale.lang] ?? code;
  const part = (dir: "immigration" | "emigration") => {
    const values = ind.topNationalities[dir].flatMap((n) => [
      { nationality: name(n.code), sex: t("men"), count: n.men, rank: n.rank },
      { nationality: name(n.code), sex: t("women"), count: n.women, rank: n.rank },
    ]);
    return {
      title: t(dir),
      width: 270,
      height: 240,
      data: { values },
      mark: { type: "bar" },
      encoding: {
        y: { field: "nationality", type: "nominal", title: null, sort: { field: "rank", order: "ascending" } },
        x: { field: "count", type: "quantitative", title: null, axis: { format: ",d", tickCount: 4 } },
        yOffset: { field: "sex", sort: [t("men"), t("women")] },
        color: {
          field: "sex",
          type: "nominal",
          title: null,
          scale: { domain: [t("men"), t("women")], range: [PALETTE.blue, PALETTE.vermillion] },
        },
        tooltip: [{ field: "nationality" }, { field: "sex" }, { field: "count", format: ",d" }],
      },
    };
  };
  // a value hidden by disclosure control shows its marker; an unranked nationality (listed after a hidden total) "–"
  const rows = (["immigration", "emigration"] as const).flatMap((dir) =>
    ind.topNationalities[dir].map((n, k) => {
      const at = (f: string) => shownValue(ind, `topNationalities.${dir}.${k}.${f}`);
      return [t(dir), n.rank ?? "–", name(n.code), at("men"), at("women"), at("total")] as (string | number)[];
    }),
  );
  return {
    id: "top-nationalities",
    columns: [t("direction"), t("rank"), t("nationality"), t("men"), t("women"), t("total")],
    rows,
    spec: base(input, "top-nationalities", { hconcat: [part("immigration"), part("emigration")], spacing: 40 }),
  };
}

function regions(input: ChartInput): ChartSpec {
  const { indicators: ind, locale } = input;
  const t = locale.t.bind(locale);
  const name = (r: string) => ind.labels.regions[r]?.[locale.lang] ?? r;
  const rate = (v: number) => Number(v.toFixed(1));
  // the chart shows the balance per 1,000 inhabitants; its data table also the balance itself
  const values = ind.regions.series.map((s) => ({ year: s.year, region: name(s.region), rate: rate(s.ratePer1000) }));
  const regionsList = [...new Set(ind.regions.series.map((s) => s.region))];
  const years = [...new Set(ind.regions.series.map((s) => s.year))];
  const at = (y: number, r: string) => ind.regions.series.find((s) => s.year === y && s.region === r);
  return {
    id: "regions",
    columns: [
      t("year"),
      ...regionsList.flatMap((r) => [`${name(r)}: ${t("balance")}`, `${name(r)}: ${t("per_1000")}`]),
    ],
    rows: years.map((y) => [
      String(y),
      ...regionsList.flatMap((r): (string | number)[] => {
        const s = at(y, r);
        return s ? [s.balance, rate(s.ratePer1000)] : ["", ""];
      }),
    ]),
    spec: base(input, "regions", {
      width: WIDTH,
      height: 280,
      layer: [
        {
          data: { values: ind.seriesFacts.breaks },
          mark: { type: "rule", strokeDash: [4, 3], color: PALETTE.grey },
          encoding: { x: { field: "year", type: "quantitative", scale: { zero: false } } },
        },
        {
          data: { values },
          mark: { type: "line", strokeWidth: 2.2 },
          encoding: {
            x: yearAxis(values.map((v) => v.year)),
            y: { field: "rate", type: "quantitative", title: t("per_1000"), axis: { format: ",~f" } },
            color: {
              field: "region",
              type: "nominal",
              title: null,
              scale: { domain: regionsList.map(name), range: [PALETTE.orange, PALETTE.blue, PALETTE.purple] },
            },
          },
        },
      ],
    }),
  };
}

function euComparison(input: ChartInput): ChartSpec {
  const { indicators: ind, locale } = input;
  const t = locale.t.bind(locale);
  const name = (g: string) => ind.labels.eu[g]?.[locale.lang] ?? g;
  const highlight = new Set([ind.eu.regionGeo, "BE", "BE1", "EU27_2020"]);
  // the value label carries Eurostat's flags (13.2 p: provisional); the note under the figure says what they mean
  const one = new Intl.NumberFormat(locale.lang === "nl" ? "nl-BE" : "en-GB", {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  const values = ind.eu.rows.map((r) => ({
    geo: name(r.geo),
    rate: Number(r.ratePer1000.toFixed(1)),
    label: `${one.format(Number(r.ratePer1000.toFixed(1)))}${r.flags ? ` ${r.flags}` : ""}`,
    kind: highlight.has(r.geo) ? (r.geo === ind.eu.regionGeo ? "region" : "highlight") : "other",
  }));
  const flagged = ind.eu.flags !== "";
  return {
    id: "eu-comparison",
    columns: [t("area"), t("per_1000"), ...(flagged ? [t("flag")] : [])],
    rows: ind.eu.rows.map((r) => [name(r.geo), Number(r.ratePer1000.toFixed(1)), ...(flagged ? [r.flags] : [])]),
    spec: base(input, "eu-comparison", {
      width: WIDTH,
      height: { step: 13 },
      data: { values },
      layer: [
        {
          mark: { type: "bar" },
          encoding: {
            // rows come sorted from high to low (indicators); a sort by x would be dropped on the layered domain
            y: { field: "geo", type: "nominal", title: null, sort: null, axis: { labelFontSize: 11 } },
            x: { field: "rate", type: "quantitative", title: t("per_1000"), axis: { format: ",d" } },
            color: {
              field: "kind",
              type: "nominal",
              legend: null,
              scale: { domain: ["region", "highlight", "other"], range: [PALETTE.orange, PALETTE.blue, PALETTE.light] },
            },
          },
        },
        {
          mark: { type: "text", align: "left", dx: 3, fontSize: 10 },
          encoding: {
            y: { field: "geo", type: "nominal", sort: null },
            x: { field: "rate", type: "quantitative" },
            text: { field: "label", type: "nominal" },
          },
        },
      ],
    }),
  };
}

/** The x encoding of a yearly series: years as plain numbers, ticks every five years, no padding. */
function yearAxis(years: number[]) {
  return {
    field: "year",
    type: "quantitative",
    title: null,
    axis: { format: "d", values: yearTicks(years) },
    scale: { nice: false, zero: false },
  };
}

/** Axis ticks every five years, plus the last year when it is not too close to the previous tick. */
function yearTicks(years: number[]): number[] {
  const first = Math.min(...years);
  const last = Math.max(...years);
  const ticks: number[] = [];
  for (let y = Math.ceil(first / 5) * 5; y <= last; y += 5) ticks.push(y);
  if (last - (ticks.at(-1) ?? first) >= 3) ticks.push(last);
  return ticks;
}
