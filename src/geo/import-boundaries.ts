import { extname } from "node:path";
import proj4 from "proj4";
import * as shapefile from "shapefile";
import { feature, quantize } from "topojson-client";
import { topology } from "topojson-server";
import { presimplify, quantile, simplify } from "topojson-simplify";
import type { Topology } from "topojson-specification";
import { problem } from "../errors/messages.ts";
import { InputError } from "../errors/problem.ts";

/**
 * Boundary import: shapefile (+ .dbf, .prj), GeoJSON or TopoJSON → one TopoJSON object `municipalities` in WGS84,
 * each feature with properties {nis, name}, simplified and quantized for a page-sized map.
 */
export interface ImportOptions {
  /** field holding the NIS code (auto: gemeente, nis, NISCode, geoitem, niscode, CODE_INS) */
  codeField?: string;
  /** field holding the name (auto: naam, name, name_nl, NAME) */
  nameField?: string;
  /** share of the points to keep after simplification (0–1; topojson-simplify sorts weights from high to low) */
  keep?: number;
}
export interface ImportResult {
  topology: Topology;
  count: number;
  codes: string[];
}

// Belgian Lambert 72 (EPSG:31370) with the datum shift to WGS84; the .prj of Statbel's files names it without one.
const LAMBERT72 =
  "+proj=lcc +lat_0=90 +lon_0=4.36748666666667 +lat_1=51.1666672333333 +lat_2=49.8333339 +x_0=150000.013 +y_0=5400088.438 +ellps=intl +towgs84=-106.8686,52.2978,-103.7239,0.3366,-0.457,1.8422,-1.2747 +units=m +no_defs";
const CODE_FIELDS = ["gemeente", "nis", "NISCode", "niscode", "geoitem", "CODE_INS", "nis_code"];
const NAME_FIELDS = ["naam", "name", "name_nl", "NAME", "NAAM"];

type Geometry = { type: string; coordinates: unknown };
type Feature = { type: "Feature"; properties: Record<string, unknown>; geometry: Geometry | null };

export async function importBoundaries(
  file: string,
  read: (path: string) => Promise<Buffer | undefined>,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const ext = extname(file).toLowerCase();
  let features: Feature[];
  let toWgs84: ((xy: [number, number]) => [number, number]) | undefined;
  if (ext === ".shp") {
    const shp = await read(file);
    const dbf = await read(file.replace(/\.shp$/i, ".dbf"));
    const prj = (await read(file.replace(/\.shp$/i, ".prj")))?.toString("utf8");
    if (!shp || !dbf)
      throw new InputError(`cannot read ${file} and its .dbf`, [problem("missing-file/shapefile", { file })]);
    const cpg = (await read(file.replace(/\.shp$/i, ".cpg")))?.toString("utf8").trim();
    const collection = await shapefile.read(toArrayBuffer(shp), toArrayBuffer(dbf), {
      encoding: cpg && /utf-?8/i.test(cpg) ? "utf-8" : "windows-1252",
    });
    features = collection.features as unknown as Feature[];
    if (prj && /PROJCS/.test(prj)) {
      const def = /Lambert_72|Lambert 72|31370/i.test(prj) ? LAMBERT72 : prj;
      const conv = proj4(def, "WGS84");
      toWgs84 = (xy) => conv.forward(xy) as [number, number];
    }
  } else if (ext === ".json" || ext === ".geojson" || ext === ".topojson") {
    const text = (await read(file))?.toString("utf8");
    if (!text) throw new InputError(`cannot read ${file}`, [problem("missing-file/boundaries", { file })]);
    let json: { type: string; objects?: Record<string, unknown>; features?: Feature[] };
    try {
      json = JSON.parse(text) as typeof json;
    } catch (e) {
      // JSON.parse says where as "… at position N": turned into a line and column
      const pos = /at position (\d+)/.exec((e as Error).message);
      const before = pos ? text.slice(0, Number(pos[1])) : undefined;
      const where = before ? { line: before.split("\n").length, column: before.length - before.lastIndexOf("\n") } : {};
      const why = ((e as Error).message.split("\n")[0] ?? "").replace(/ at position \d+.*$/, "");
      throw new InputError(`${file} is not JSON`, [problem("bad-boundaries", { file, ...where }, { why })]);
    }
    if (!json || typeof json !== "object" || (json.type !== "Topology" && !Array.isArray(json.features)))
      throw new InputError(`${file} is neither GeoJSON nor TopoJSON`, [
        problem("bad-boundaries", { file }, { why: 'no `features` (GeoJSON) and not `"type": "Topology"`' }),
      ]);
    if (json.type === "Topology") {
      const name = Object.keys(json.objects ?? {})[0]!;
      features = (feature(json as unknown as Topology, name) as unknown as { features: Feature[] }).features;
    } else features = json.features ?? [];
  } else {
    throw new InputError(`unknown boundary format ${ext}`, [problem("bad-format", { file }, { ext })]);
  }
  if (!features.length) throw new InputError(`${file} has no features`, [problem("empty", { file })]);
  const props = Object.keys(features[0]!.properties ?? {});
  const codeField = opts.codeField ?? CODE_FIELDS.find((f) => props.includes(f));
  const nameField = opts.nameField ?? NAME_FIELDS.find((f) => props.includes(f));
  if (!codeField || !props.includes(codeField))
    throw new InputError(`no code field in ${file}`, [problem("no-code-field", { file }, { fields: props })]);
  const out = features
    .filter((f) => f.geometry)
    .map((f) => ({
      type: "Feature" as const,
      properties: {
        nis: String(f.properties[codeField]).padStart(5, "0"),
        name: nameField ? String(f.properties[nameField]) : String(f.properties[codeField]),
      },
      geometry: toWgs84 ? reproject(f.geometry!, toWgs84) : f.geometry!,
    }));
  // topojson's typings disagree with each other on property types; the objects are plain GeoJSON here
  // biome-ignore lint/suspicious/noExplicitAny: see above
  const raw: any = topology({ municipalities: { type: "FeatureCollection", features: out } as any });
  const pre = presimplify(raw);
  // simplify returns absolute coordinates: quantize afterwards (delta-encoded integers, ~1 m precision here)
  const topo = quantize(simplify(pre, quantile(pre, opts.keep ?? 0.2)), 1e5) as unknown as Topology;
  return { topology: topo, count: out.length, codes: out.map((f) => f.properties.nis) };
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

function reproject(g: Geometry, f: (xy: [number, number]) => [number, number]): Geometry {
  const walk = (c: unknown): unknown =>
    typeof (c as unknown[])[0] === "number" ? f(c as [number, number]) : (c as unknown[]).map(walk);
  return { type: g.type, coordinates: walk(g.coordinates) };
}
