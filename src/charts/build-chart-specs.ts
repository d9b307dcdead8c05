import { bbox, feature, merge, quantize } from "topojson-client";
import type { GeometryCollection, MultiPolygon, Objects, Polygon, Topology } from "topojson-specification";
import type { TopLevelSpec } from "vega-lite";
import { SECTION_IDS, type SectionId } from "../core/domain.ts";
import type { Locale } from "../i18n/locale.ts";
import type { Indicators } from "../indicators/types.ts";
import { MAP_COLOURS, PALETTE, VEGA_CONFIG } from "./theme.ts";

/** A figure: its Vega-Lite spec and the data behind it as a labelled table (CSV download and HTML table). */
export interface ChartSpec {
  id: string;
  spec: TopLevelSpec;
  columns: string[];
  rows: (string | number)[][];
}
export interface ChartInput {
  indicators: Indicators;
  locale: Locale;
  /** TopoJSON of the municipalities (object `municipalities`, properties {nis, name}); without it the map is a ranking */
  boundaries?: unknown;
  /** accessible descriptions per figure (from the narrative) */
  descriptions: Record<string, string>;
}

const WIDTH = 620;

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
  return sectionIds.map((id) => BUILDERS[id](input));
}

function base(input: ChartInput, id: string, extra: object): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    description: input.descriptions[id] ?? id,
    config: VEGA_CONFIG,
    ...extra,
  } as TopLevelSpec;
}

function headline(input: ChartInput): ChartSpec {
  const { indicators: ind, locale } = input;
  const t = locale.t.bind(locale);
  const rows = ind.series.map((s) => [String(s.year), s.immigration, s.emigration, s.balance] as (string | number)[]);
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
  const values = ind.components.byYear.map((c) => ({
    year: String(c.year),
    direction: t(c.direction),
    component: label(c.direction, c.code),
    order: ["strict", "re-registration", "official-deletion", "from-waiting-register", "to-waiting-register"].indexOf(
      c.code,
    ),
    count: c.count,
    share: c.share,
  }));
  const domain = ["immigration", "emigration"].flatMap((d) =>
    ind.components[d as "immigration"].map((c) => label(d, c.code)),
  );
  return {
    id: "components",
    columns: [t("year"), t("direction"), t("component"), t("count"), t("share_pct")],
    rows: values.map((v) => [v.year, v.direction, v.component, v.count, Number((v.share * 100).toFixed(1))]),
    spec: base(input, "components", {
      data: { values },
      facet: {
        column: { field: "direction", type: "nominal", title: null, sort: [t("immigration"), t("emigration")] },
      },
      spec: {
        width: 270,
        height: 260,
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
      },
      resolve: { scale: { y: "shared" } },
    }),
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
    rows: ind.nationalityGroups.rows.map((r) => [t(`group_${r.group}`), r.immigration, r.emigration, r.balance]),
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
  const rows = (["immigration", "emigration"] as const).flatMap((dir) =>
    ind.topNationalities[dir].map(
      (n) => [t(dir), n.rank, name(n.code), n.men, n.women, n.total] as (string | number)[],
    ),
  );
  return {
    id: "top-nationalities",
    columns: [t("direction"), t("rank"), t("nationality"), t("men"), t("women"), t("total")],
    rows,
    spec: base(input, "top-nationalities", { hconcat: [part("immigration"), part("emigration")], spacing: 40 }),
  };
}

/** Class of a municipal rate: negative, zero and the positive classes between the breaks apart. */
export function classOf(
  rate: number,
  balance: number,
  breaks: number[],
  fmt: (x: number) => string,
): { index: number; label: string } {
  if (balance < 0) return { index: 0, label: `< 0` };
  if (balance === 0) return { index: 1, label: "0" };
  const pos = breaks.slice(1);
  let i = pos.findIndex((b) => rate <= b);
  if (i < 0) i = pos.length;
  const lo = i === 0 ? 0 : pos[i - 1]!;
  const label = i === pos.length ? `> ${fmt(lo)}` : `${fmt(lo)}–${fmt(pos[i]!)}`;
  return { index: 2 + i, label };
}

function classLabels(breaks: number[], fmt: (x: number) => string): string[] {
  const pos = breaks.slice(1);
  return ["< 0", "0", ...pos.map((b, i) => `${fmt(i === 0 ? 0 : pos[i - 1]!)}–${fmt(b)}`), `> ${fmt(pos.at(-1)!)}`];
}

function municipalities(input: ChartInput): ChartSpec {
  const { indicators: ind, locale } = input;
  const t = locale.t.bind(locale);
  const m = ind.municipalities;
  const fmt = (x: number) => locale.numbers.integer(x);
  const labels = classLabels(m.classBreaks, fmt);
  const rowsData = m.rows.map((r) => ({
    nis: r.nis,
    name: r.name,
    rate: Number(r.ratePer1000.toFixed(1)),
    balance: r.balance,
    cls: classOf(r.ratePer1000, r.balance, m.classBreaks, fmt).label,
  }));
  const columns = [t("municipality"), "NIS", t("immigration"), t("emigration"), t("balance"), t("rate_per_1000")];
  const rows = m.rows.map(
    (r) =>
      [r.name, r.nis, r.immigration, r.emigration, r.balance, Number(r.ratePer1000.toFixed(1))] as (string | number)[],
  );
  const color = {
    field: "cls",
    type: "ordinal",
    title: t("rate_per_1000"),
    scale: { domain: labels, range: MAP_COLOURS },
    legend: { orient: "top", direction: "horizontal", symbolType: "square", titleLimit: 400 },
  };
  if (input.boundaries) {
    const named = new Set([...m.negative, ...m.topClass.members]);
    const topo = planarBoundaries(input.boundaries as Topology);
    const outline = regionOutline(topo, new Set(m.rows.map((r) => r.nis)));
    const shapes = { name: "boundaries", format: { type: "topojson", feature: "municipalities" } };
    const labels = namedCentroids(topo, named);
    const labelLayer = (halo: boolean) => ({
      data: { values: labels },
      mark: halo
        ? { type: "text", fontSize: 10, fontWeight: 600, dy: -9, stroke: "white", strokeWidth: 2.5, strokeOpacity: 0.9 }
        : { type: "text", fontSize: 10, fontWeight: 600, dy: -9, color: "#111" },
      encoding: {
        longitude: { field: "x", type: "quantitative" },
        latitude: { field: "y", type: "quantitative" },
        text: { field: "name" },
      },
    });
    return {
      id: "municipalities",
      columns,
      rows,
      spec: base(input, "municipalities", {
        width: WIDTH,
        height: 240, // the region at full width is ~238 px high: no empty band above it
        // the boundaries once, as a named dataset: every layer reads it without a copy in the spec. They are projected
        // already (see planarBoundaries), so Vega draws them with the identity: no spherical clipping or resampling
        // for each layer and language (the map took ~3× longer to draw with a Mercator projection in the spec)
        datasets: { boundaries: topo },
        projection: { type: "identity" },
        usermeta: { coordinates: PLANAR_CRS },
        layer: [
          {
            // every shape in one layer: the region's municipalities by class, the others (Brussels) grey as context
            data: shapes,
            transform: [
              {
                lookup: "properties.nis",
                from: { data: { values: rowsData }, key: "nis", fields: ["name", "rate", "cls", "balance"] },
              },
            ],
            mark: { type: "geoshape", stroke: "white", strokeWidth: 0.35 },
            encoding: {
              color: { ...color, condition: { test: "datum.cls == null", value: "#eeeeee" } },
              tooltip: [
                { field: "name", title: t("municipality") },
                { field: "rate", title: t("rate_per_1000"), format: ".1f" },
              ],
            },
          },
          ...(outline
            ? [
                {
                  // the region's outer border, merged from its municipalities
                  data: { values: outline },
                  mark: { type: "geoshape", fill: null, stroke: "#444", strokeWidth: 0.9 },
                },
              ]
            : []),
          {
            // the named extremes get an outline and a label, so a reader finds them
            data: shapes,
            transform: [{ filter: { field: "properties.nis", oneOf: [...named] } }],
            mark: { type: "geoshape", fill: null, stroke: "#111", strokeWidth: 1.1 },
          },
          labelLayer(true),
          labelLayer(false),
        ],
      }),
    };
  }
  // Fallback without boundaries: a ranking (the highest 20 and every municipality at or below zero).
  const shown = [
    ...rowsData.slice(0, 20),
    ...rowsData.filter((r) => r.balance <= 0 && !rowsData.slice(0, 20).includes(r)),
  ];
  return {
    id: "municipalities",
    columns,
    rows,
    spec: base(input, "municipalities", {
      width: WIDTH,
      height: { step: 14 },
      data: { values: shown },
      mark: { type: "bar" },
      encoding: {
        y: { field: "name", type: "nominal", title: null, sort: { field: "rate", order: "descending" } },
        x: { field: "rate", type: "quantitative", title: t("rate_per_1000"), axis: { format: ",.1f" } },
        color,
      },
    }),
  };
}

function regions(input: ChartInput): ChartSpec {
  const { indicators: ind, locale } = input;
  const t = locale.t.bind(locale);
  const name = (r: string) => ind.labels.regions[r]?.[locale.lang] ?? r;
  const values = ind.regions.series.map((s) => ({ year: s.year, region: name(s.region), balance: s.balance }));
  const regionsList = [...new Set(ind.regions.series.map((s) => s.region))];
  const years = [...new Set(ind.regions.series.map((s) => s.year))];
  return {
    id: "regions",
    columns: [t("year"), ...regionsList.map(name)],
    rows: years.map((y) => [
      String(y),
      ...regionsList.map((r) => ind.regions.series.find((s) => s.year === y && s.region === r)?.balance ?? ""),
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
            y: { field: "balance", type: "quantitative", title: null, axis: { format: ",d" } },
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
  const values = ind.eu.rows.map((r) => ({
    geo: name(r.geo),
    rate: Number(r.ratePer1000.toFixed(1)),
    kind: highlight.has(r.geo) ? (r.geo === ind.eu.regionGeo ? "region" : "highlight") : "other",
  }));
  return {
    id: "eu-comparison",
    columns: [t("area"), t("per_1000")],
    rows: ind.eu.rows.map((r) => [name(r.geo), Number(r.ratePer1000.toFixed(1))]),
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
            text: { field: "rate", type: "quantitative", format: ",.1f" },
          },
        },
      ],
    }),
  };
}

/** The outline of the region: its municipalities merged into one shape (GeoJSON), or undefined if none match. */
/** What the map's coordinates are (written into its Vega-Lite spec, so a reader of the download knows). */
const PLANAR_CRS =
  "spherical Mercator, kilometres at the equator's scale (x east, y south), quantized TopoJSON; drawn with the identity projection";

const planarCache = new WeakMap<object, Topology>();
/**
 * The boundaries (longitude/latitude) projected once to the plane of the map: spherical Mercator (kilometres at the
 * equator's scale), y pointing south as on a screen, then quantized again (1e5 steps: a few metres here). Both
 * editions share the result.
 */
export function planarBoundaries(topo: Topology): Topology {
  const cached = planarCache.get(topo);
  if (cached) return cached;
  const R = 6371.0088;
  const rad = Math.PI / 180;
  const [sx, sy] = topo.transform?.scale ?? [1, 1];
  const [tx, ty] = topo.transform?.translate ?? [0, 0];
  const arcs = topo.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    return arc.map((p) => {
      if (topo.transform) {
        x += p[0] as number;
        y += p[1] as number;
      } else [x, y] = p as [number, number];
      const lon = x * sx + tx;
      const lat = y * sy + ty;
      return [R * lon * rad, -R * Math.log(Math.tan(Math.PI / 4 + (lat * rad) / 2))];
    });
  });
  const plane = { type: "Topology", objects: topo.objects, arcs } as Topology;
  const out = quantize({ ...plane, bbox: bbox(plane) } as Topology<Objects<object>>, 1e5) as Topology;
  planarCache.set(topo, out);
  return out;
}

/** Where the names of the named municipalities go: the area-weighted centroid of each (in the map's plane). */
function namedCentroids(topo: Topology, named: Set<string>): { name: string; x: number; y: number }[] {
  const obj = topo.objects.municipalities as GeometryCollection<{ nis: string; name?: string }>;
  const out: { name: string; x: number; y: number }[] = [];
  for (const g of obj.geometries) {
    const props = g.properties as { nis: string; name?: string } | undefined;
    if (!props || !named.has(String(props.nis))) continue;
    const f = feature(topo, g) as unknown as { geometry: { type: string; coordinates: unknown } };
    const polys = (f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates) as number[][][][];
    let a = 0;
    let cx = 0;
    let cy = 0;
    for (const poly of polys)
      for (const ring of poly)
        for (let i = 0; i + 1 < ring.length; i++) {
          const [x0, y0] = ring[i] as [number, number];
          const [x1, y1] = ring[i + 1] as [number, number];
          const c = x0 * y1 - x1 * y0;
          a += c;
          cx += (x0 + x1) * c;
          cy += (y0 + y1) * c;
        }
    if (a !== 0) out.push({ name: props.name ?? String(props.nis), x: round2(cx / (3 * a)), y: round2(cy / (3 * a)) });
  }
  return out;
}
const round2 = (v: number) => Math.round(v * 100) / 100;

function regionOutline(topo: Topology, codes: Set<string>): object | undefined {
  const obj = topo.objects?.municipalities as GeometryCollection<{ nis: string }> | undefined;
  if (!obj) return undefined;
  const geoms = obj.geometries.filter((g) =>
    codes.has(String((g.properties as { nis?: string } | undefined)?.nis)),
  ) as (Polygon | MultiPolygon)[];
  if (!geoms.length) return undefined;
  return { type: "Feature", properties: {}, geometry: merge(topo, geoms) };
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
