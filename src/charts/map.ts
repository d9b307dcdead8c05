import { bbox, feature, merge, quantize } from "topojson-client";
import type { GeometryCollection, MultiPolygon, Objects, Polygon, Topology } from "topojson-specification";
import { shownValue } from "./shown.ts";
import { base, type ChartInput, type ChartSpec, WIDTH } from "./spec-base.ts";
import { MAP_COLOURS } from "./theme.ts";

/** The fill of a municipality whose rate is not reliable: a light sand, apart from the classes and the greys. */
const NOT_RELIABLE_COLOUR = "#e8dcc0";
/** The fill of a municipality whose rate is not published (disclosure control): a light blue-grey. */
const HIDDEN_COLOUR = "#c9cdd8";

/**
 * Figure 5, the municipal map: the boundaries projected once to the plane (planarBoundaries), the municipalities of
 * the area coloured by class, the others grey as context, the area's outline, the named extremes labelled; without
 * boundaries, a ranking.
 */

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

export function municipalities(input: ChartInput): ChartSpec {
  const { indicators: ind, locale } = input;
  const t = locale.t.bind(locale);
  const m = ind.municipalities;
  const fmt = (x: number) => locale.numbers.integer(x);
  const labels = classLabels(m.classBreaks, fmt);
  // a rate hidden by disclosure control (its balance is) gets a class of its own, "not published"
  const rowsData = m.rows.map((r) => ({
    nis: r.nis,
    name: r.name,
    rate: r.ratePer1000 === null ? null : Number(r.ratePer1000.toFixed(1)),
    balance: r.balance,
    // a rate that is not reliable (few inhabitants or movements) gets no class of its own
    cls:
      r.ratePer1000 === null || r.balance === null
        ? t("map_hidden")
        : r.reliable === false
          ? t("map_not_reliable")
          : classOf(r.ratePer1000, r.balance, m.classBreaks, fmt).label,
  }));
  const extra = [
    ...(rowsData.some((r) => r.cls === t("map_not_reliable")) ? [[t("map_not_reliable"), NOT_RELIABLE_COLOUR]] : []),
    ...(rowsData.some((r) => r.cls === t("map_hidden")) ? [[t("map_hidden"), HIDDEN_COLOUR]] : []),
  ];
  const columns = [t("municipality"), "NIS", t("immigration"), t("emigration"), t("balance"), t("rate_per_1000")];
  // the data table marks a rate that is not reliable after its value, and shows a hidden value by its marker
  const rows = m.rows.map((r, k) => {
    const at = (f: string) => shownValue(ind, `municipalities.rows.${k}.${f}`);
    return [
      r.name,
      r.nis,
      at("immigration"),
      at("emigration"),
      at("balance"),
      r.ratePer1000 === null
        ? at("ratePer1000")
        : r.reliable === false
          ? `${locale.numbers.decimal(r.ratePer1000)} (${t("not_reliable")})`
          : Number(r.ratePer1000.toFixed(1)),
    ] as (string | number)[];
  });
  const color = {
    field: "cls",
    type: "ordinal",
    title: t("rate_per_1000"),
    scale: {
      domain: [...labels, ...extra.map((e) => e[0])],
      range: [...MAP_COLOURS, ...extra.map((e) => e[1])],
    },
    legend: { orient: "top", direction: "horizontal", symbolType: "square", titleLimit: 400 },
  };
  const parts: MapParts = { input, t, rowsData, color, columns, rows };
  return input.boundaries ? mapOf(parts) : rankingOf(parts);
}

/** What the map and its fallback share: the rows by class, the colour scale, the table. */
interface MapParts {
  input: ChartInput;
  t: (key: string, p?: Record<string, string>) => string;
  rowsData: { nis: string; name: string; rate: number | null; balance: number | null; cls: string }[];
  color: Record<string, unknown>;
  columns: string[];
  rows: (string | number)[][];
}

/** The municipalities coloured by class on the boundaries, the named extremes outlined and labelled. */
function mapOf({ input, t, rowsData, color, columns, rows }: MapParts): ChartSpec {
  const m = input.indicators.municipalities;
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

/** Without boundaries: a ranking (the highest 20 and every municipality at or below zero). */
function rankingOf({ input, t, rowsData, color, columns, rows }: MapParts): ChartSpec {
  const published = rowsData.filter((r) => r.rate !== null && r.balance !== null);
  const shown = [
    ...published.slice(0, 20),
    ...published.filter((r) => r.balance! <= 0 && !published.slice(0, 20).includes(r)),
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
        x: { field: "rate", type: "quantitative", title: t("rate_per_1000"), axis: { format: ",~f" } },
        color,
      },
    }),
  };
}

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
export function namedCentroids(topo: Topology, named: Set<string>): { name: string; x: number; y: number }[] {
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

/** The outline of the area: its municipalities merged into one shape (GeoJSON), or undefined if none match. */
function regionOutline(topo: Topology, codes: Set<string>): object | undefined {
  const obj = topo.objects?.municipalities as GeometryCollection<{ nis: string }> | undefined;
  if (!obj) return undefined;
  const geoms = obj.geometries.filter((g) =>
    codes.has(String((g.properties as { nis?: string } | undefined)?.nis)),
  ) as (Polygon | MultiPolygon)[];
  if (!geoms.length) return undefined;
  return { type: "Feature", properties: {}, geometry: merge(topo, geoms) };
}
