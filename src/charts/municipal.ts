import { neighbors } from "topojson-client";
import type { Topology } from "topojson-specification";
import type { SectionId } from "../core/domain.ts";
import type { Indicators } from "../indicators/types.ts";
import type { MachineTable } from "./machine-tables.ts";
import { namedCentroids, planarBoundaries } from "./map.ts";
import { shownValue } from "./shown.ts";
import { base, type ChartInput, type ChartSpec, WIDTH } from "./spec-base.ts";
import { PALETTE } from "./theme.ts";

/*
 * The figures of a municipality's edition, made from its published indicators (indicators/municipal.ts): a value
 * hidden by disclosure control is null there. Tables, downloads and value labels show it as "<5" (a count of 1–4)
 * or "x" (hidden so that one cannot be worked out); the charts keep its category and draw the marker where its bar
 * would start, and their description names what is hidden (`withHidden`). Nothing here reads a hidden number: there
 * is none to read.
 *
 * Why one file: the five figures of a municipal edition share the display of hidden values (`shown`) and read as one
 * set, section by section, as the edition shows them.
 */

type Cell = string | number;

/** A published value, or the sign of a hidden one. */
const shown: (ind: Indicators, path: string) => Cell = shownValue;
const num = (c: Cell) => (typeof c === "number" ? c : null);
/** the marker of a hidden value ("<5", "x"), "" for a published one */
const marker = (c: Cell) => (typeof c === "number" ? "" : c);

/** colour by direction: immigration blue, emigration orange, whatever the field that holds it */
const byDirection = (field: string, t: (key: string) => string) => ({
  field,
  type: "nominal" as const,
  title: null,
  scale: { domain: [t("immigration"), t("emigration")], range: [PALETTE.blue, PALETTE.orange] },
});

/**
 * A bar chart that keeps every category: the published values as bars, each hidden one as its marker at zero on its
 * own band (coloured as its bar would be), and the description saying which values are hidden. With no published
 * value at all, no chart (the edition says "Figure not shown" and why).
 */
function withHidden(
  input: ChartInput,
  id: string,
  values: { value: number | null; label: string; name: string }[],
  view: Record<string, unknown> & { encoding: Record<string, unknown> },
  along: "x" | "y",
) {
  const { locale } = input;
  if (!values.some((v) => v.value !== null))
    return base(input, id, { ...view, data: { values: [] }, mark: { type: "bar" } });
  const hidden = values.filter((v) => v.label !== "");
  // the value channel on the bars only: a channel the layers share would drop the hidden rows from both
  const { [along]: given, ...shared } = view.encoding;
  // published values all 0: the axis runs to minCount, where the hidden ones lie below
  const flat = values.every((v) => v.value === null || v.value === 0);
  const min = input.indicators.disclosure?.minCount ?? 5;
  const whole = Array.from({ length: min + 1 }, (_, i) => i); // ticks at whole numbers only (",d" repeats 0, 0, 1, …)
  const g = given as { axis?: object };
  const valueChannel = flat ? { ...g, scale: { domain: [0, min] }, axis: { ...g.axis, values: whole } } : given;
  const spec = base(input, id, {
    ...view,
    encoding: shared,
    data: { values },
    layer: [
      { mark: { type: "bar" }, encoding: { [along]: valueChannel } },
      {
        transform: [{ filter: "datum.label !== ''" }],
        mark:
          along === "x"
            ? { type: "text", align: "left", baseline: "middle", dx: 3, fontSize: 11, fontWeight: 600 }
            : { type: "text", align: "center", baseline: "bottom", dy: -2, fontSize: 11, fontWeight: 600 },
        encoding: {
          [along]: { datum: 0, type: "quantitative", title: null, axis: (valueChannel as { axis?: unknown }).axis },
          text: { field: "label" },
        },
      },
    ],
  });
  if (hidden.length)
    spec.description = `${spec.description} ${locale.t("chart_hidden_values", { list: hidden.map((v) => `${v.name} (${v.label})`).join(", ") })}`;
  return spec;
}

export function municipalCharts(input: ChartInput, sectionIds: readonly SectionId[]): ChartSpec[] {
  return sectionIds.map((id) => {
    const made = MAKERS[id as keyof typeof MAKERS];
    if (!made) throw new Error(`no municipal figure for section ${id}`);
    return made(input);
  });
}

const MAKERS = {
  headline: (input: ChartInput): ChartSpec => {
    const { indicators: ind, locale } = input;
    const t = locale.t.bind(locale);
    const rows = ind.series.map((s, i) => [
      String(s.year),
      shown(ind, `series.${i}.immigration`),
      shown(ind, `series.${i}.emigration`),
      shown(ind, `series.${i}.balance`),
    ]);
    const values = ind.series.flatMap((s, i) =>
      (["immigration", "emigration", "balance"] as const).map((m) => {
        const c = shown(ind, `series.${i}.${m}`);
        return { year: s.year, measure: t(m), value: num(c), label: marker(c), name: `${t(m)} ${s.year}` };
      }),
    );
    return {
      id: "headline",
      columns: [t("year"), t("immigration"), t("emigration"), t("balance")],
      rows,
      data: neutral(["year", "area", "immigration", "emigration", "balance"], rows, (r) => [
        r[0]!,
        ind.meta.area,
        ...r.slice(1),
      ]),
      spec: withHidden(
        input,
        "headline",
        values,
        {
          width: WIDTH,
          height: 220,
          encoding: {
            x: { field: "year", type: "ordinal", title: null, axis: { labelAngle: 0 } },
            xOffset: { field: "measure" },
            y: { field: "value", type: "quantitative", title: null, axis: { format: ",d" } },
            color: {
              field: "measure",
              type: "nominal",
              title: null,
              scale: {
                domain: [t("immigration"), t("emigration"), t("balance")],
                range: [PALETTE.blue, PALETTE.orange, PALETTE.green],
              },
            },
          },
        },
        "y",
      ),
    };
  },
  components: (input: ChartInput): ChartSpec => {
    const { indicators: ind, locale } = input;
    const t = locale.t.bind(locale);
    const label = (dir: string, code: string) => ind.labels.components[`${dir}:${code}`]?.[locale.lang] ?? code;
    const rows = ind.components.byYear
      .map((c, k) => ({ c, k }))
      .filter(({ c }) => c.year === ind.components.year)
      .map(({ c, k }) => [t(c.direction), label(c.direction, c.code), shown(ind, `components.byYear.${k}.count`)]);
    const values = ind.components.byYear
      .map((c, k) => ({ c, cell: shown(ind, `components.byYear.${k}.count`) }))
      .filter(({ c }) => c.year === ind.components.year)
      .map(({ c, cell }) => ({
        direction: t(c.direction),
        component: label(c.direction, c.code),
        value: num(cell),
        label: marker(cell),
        name: label(c.direction, c.code),
      }));
    return {
      id: "components",
      columns: [t("direction"), t("component"), t("count")],
      rows,
      data: neutral(["year", "area", "direction_label", "component_label", "count"], rows, (r) => [
        ind.components.year,
        ind.meta.area,
        ...r,
      ]),
      spec: withHidden(
        input,
        "components",
        values,
        {
          width: WIDTH,
          height: { step: 22 },
          encoding: {
            y: {
              field: "component",
              type: "nominal",
              title: null,
              sort: null,
              scale: { domain: values.map((v) => v.component) },
              axis: { labelLimit: 320 },
            },
            x: { field: "value", type: "quantitative", title: null, axis: { format: ",d" } },
            color: byDirection("direction", t),
          },
        },
        "x",
      ),
    };
  },
  "nationality-groups": (input: ChartInput): ChartSpec => {
    const { indicators: ind, locale } = input;
    const t = locale.t.bind(locale);
    const rows = ind.nationalityGroups.rows.map((g, k) => [
      t(`group_${g.group}`),
      shown(ind, `nationalityGroups.rows.${k}.immigration`),
      shown(ind, `nationalityGroups.rows.${k}.emigration`),
      shown(ind, `nationalityGroups.rows.${k}.balance`),
    ]);
    const values = ind.nationalityGroups.rows.flatMap((g, k) =>
      (["immigration", "emigration"] as const).map((m) => {
        const c = shown(ind, `nationalityGroups.rows.${k}.${m}`);
        const group = t(`group_${g.group}`);
        return { group, measure: t(m), value: num(c), label: marker(c), name: `${group}, ${t(m)}` };
      }),
    );
    return {
      id: "nationality-groups",
      columns: [t("group"), t("immigration"), t("emigration"), t("balance")],
      rows,
      data: neutral(["year", "area", "group_label", "immigration", "emigration", "balance"], rows, (r) => [
        ind.meta.year,
        ind.meta.area,
        ...r,
      ]),
      spec: withHidden(
        input,
        "nationality-groups",
        values,
        {
          width: WIDTH,
          height: { step: 18 },
          encoding: {
            y: {
              field: "group",
              type: "nominal",
              title: null,
              sort: null,
              scale: { domain: ind.nationalityGroups.rows.map((g) => t(`group_${g.group}`)) },
            },
            yOffset: { field: "measure" },
            x: { field: "value", type: "quantitative", title: null, axis: { format: ",d" } },
            color: byDirection("measure", t),
          },
        },
        "x",
      ),
    };
  },
  "top-nationalities": (input: ChartInput): ChartSpec => {
    // a municipality's most frequent nationalities by name and rank, without their numbers (see
    // indicators/compute-indicators.ts): a table drawn as text, immigration and emigration side by side
    const { indicators: ind, locale } = input;
    const t = locale.t.bind(locale);
    const name = (c: string) => ind.labels.nationalities[c]?.[locale.lang] ?? c;
    const dirs = ["immigration", "emigration"] as const;
    const rows = dirs.flatMap((d) => ind.topNationalities[d].map((n) => [t(d), n.rank ?? "", name(n.code)] as Cell[]));
    const values = dirs.flatMap((d) =>
      ind.topNationalities[d].map((n) => ({ direction: t(d), rank: n.rank, nationality: name(n.code) })),
    );
    return {
      id: "top-nationalities",
      columns: [t("direction"), t("rank"), t("nationality")],
      rows,
      data: neutral(["year", "area", "direction_label", "rank", "nationality_label"], rows, (r) => [
        ind.meta.year,
        ind.meta.area,
        ...r,
      ]),
      spec: base(input, "top-nationalities", {
        width: WIDTH,
        height: { step: 20 },
        data: { values },
        mark: { type: "text", align: "center", fontSize: 12 },
        encoding: {
          x: {
            field: "direction",
            type: "nominal",
            title: null,
            sort: dirs.map((d) => t(d)),
            scale: { domain: dirs.map((d) => t(d)) },
            axis: { orient: "top", labelAngle: 0, ticks: false, domain: false, labelFontWeight: "bold" },
          },
          y: { field: "rank", type: "ordinal", title: t("rank"), axis: { ticks: false, domain: false } },
          text: { field: "nationality" },
        },
      }),
    };
  },
  municipalities: (input: ChartInput): ChartSpec => localMap(input),
};

/** The CSV of a municipal figure: language-neutral column names, the table's cells ("<5", "x" as shown). */
function neutral(columns: string[], rows: Cell[][], f: (r: Cell[]) => Cell[]): MachineTable {
  return { columns, rows: rows.map(f) };
}

/** The region's map with the municipality filled and outlined, its neighbours outlined and named. */
function localMap(input: ChartInput): ChartSpec {
  const { indicators: ind, locale } = input;
  const t = locale.t.bind(locale);
  const local = ind.local!;
  const nameOf = (r: (typeof local.rates)[number]) =>
    r.level === "municipality" || r.level === "region"
      ? r.label[locale.lang]
      : locale.t(`area_${r.level}`, { name: r.label[locale.lang] });
  const rows = local.rates.map((r, i) => {
    const rate = shown(ind, `local.rates.${i}.ratePer1000`);
    return [nameOf(r), typeof rate === "number" ? Number(rate.toFixed(1)) : rate];
  });
  const columns = [t("area_column"), t("rate_per_1000")];
  const data = neutral(["level", "nis", "area_label", "balance_per_1000_per_year"], rows, (r) => {
    const i = rows.indexOf(r);
    return [local.rates[i]!.level, local.rates[i]!.nis, ...r];
  });
  if (!input.boundaries) {
    // without boundaries: the rates as bars
    const values = rows.filter((r) => typeof r[1] === "number").map((r) => ({ area: r[0], rate: r[1] }));
    return {
      id: "municipalities",
      columns,
      rows,
      data,
      spec: base(input, "municipalities", {
        width: WIDTH,
        height: { step: 22 },
        data: { values },
        mark: { type: "bar", color: PALETTE.blue },
        encoding: {
          y: { field: "area", type: "nominal", title: null, sort: null, axis: { labelLimit: 320 } },
          x: { field: "rate", type: "quantitative", title: t("rate_per_1000") },
        },
      }),
    };
  }
  const topo = planarBoundaries(input.boundaries as Topology);
  const obj = topo.objects.municipalities as unknown as { geometries: { properties?: { nis?: string } }[] };
  const geoms = obj.geometries;
  const at = geoms.findIndex((g) => String(g.properties?.nis) === ind.meta.area);
  const near = at >= 0 ? (neighbors(geoms as never)[at] ?? []).map((k) => String(geoms[k]!.properties?.nis)) : [];
  const shapes = { name: "boundaries", format: { type: "topojson", feature: "municipalities" } };
  // the municipality's name larger than its neighbours'
  const own = ind.labels.area.nl;
  const labels = namedCentroids(topo, new Set([ind.meta.area, ...near])).map((l) => ({
    ...l,
    size: l.name === own ? 11 : 7.5,
  }));
  const text = (halo: boolean) => ({
    data: { values: labels },
    mark: {
      type: "text",
      fontWeight: 600,
      ...(halo ? { stroke: "white", strokeWidth: 2.5, strokeOpacity: 0.9 } : { color: "#111" }),
    },
    encoding: {
      longitude: { field: "x", type: "quantitative" },
      latitude: { field: "y", type: "quantitative" },
      text: { field: "name" },
      size: { field: "size", type: "quantitative", scale: null },
    },
  });
  return {
    id: "municipalities",
    columns,
    rows,
    data,
    spec: base(input, "municipalities", {
      width: WIDTH,
      height: 240,
      datasets: { boundaries: topo },
      projection: { type: "identity" },
      layer: [
        {
          data: shapes,
          mark: { type: "geoshape", stroke: "white", strokeWidth: 0.35 },
          encoding: {
            color: {
              condition: { test: `datum.properties.nis == '${ind.meta.area}'`, value: PALETTE.orange },
              value: "#e4e4e4",
            },
          },
        },
        {
          data: shapes,
          transform: [{ filter: { field: "properties.nis", oneOf: near } }],
          mark: { type: "geoshape", fill: null, stroke: "#777", strokeWidth: 0.7 },
        },
        {
          data: shapes,
          transform: [{ filter: { field: "properties.nis", equal: ind.meta.area } }],
          mark: { type: "geoshape", fill: null, stroke: "#111", strokeWidth: 1.3 },
        },
        text(true),
        text(false),
      ],
    }),
  };
}
