import { type Canvas, GlobalFonts } from "canvas";
import * as vega from "vega";
import type { Lang } from "../core/domain.ts";
import { FONT_FAMILY, FONT_FILES } from "../core/fonts.ts";
import { encodePng } from "../core/png.ts";
import type { ChartSpec } from "./build-chart-specs.ts";
import { NUMBER_LOCALES, TIME_LOCALES } from "./theme.ts";
import { toRuntime } from "./vega-specs.ts";

let fontsRegistered = false;
/** The canvas measures (and draws PNG) text with the same font files the HTML embeds. */
function registerFonts() {
  if (fontsRegistered) return;
  for (const f of FONT_FILES) GlobalFonts.registerFromPath(f.file, FONT_FAMILY);
  fontsRegistered = true;
}

export interface RenderedChart {
  id: string;
  svg: string;
  /** renders the PNG (2×) from the same view, later: the build overlaps it with PDF printing */
  png: () => Promise<Uint8Array>;
  csv: string;
  specJson: string;
  /** the data as an HTML table (escaped) */
  table: string;
}

/** Drawn charts by language and spec (its description aside: it is set on the SVG afterwards). */
export type ChartCache = Map<string, { svg: string; png: () => Promise<Uint8Array> }>;
const CACHE_LIMIT = 200;

/**
 * Vega-Lite → Vega → SVG (and PNG at 2×) in Node, no browser. Text is measured with @napi-rs/canvas (installed as
 * `canvas`, which vega picks up) with the bulletin's font registered, so chart text matches the page.
 */
export async function renderCharts(
  specs: ChartSpec[],
  lang: Lang,
  cache?: ChartCache,
  opts: { keepViews?: boolean; keptDataflows?: boolean } = {},
): Promise<RenderedChart[]> {
  registerFonts();
  const locale = { number: NUMBER_LOCALES[lang], time: TIME_LOCALES[lang] } as unknown as vega.LocaleFormatters;
  const viewOf = async (spec: ChartSpec["spec"]) => {
    const view = new vega.View(await toRuntime(spec, opts.keptDataflows ?? true), {
      renderer: "none",
      locale,
    } as vega.ViewOptions);
    await view.runAsync();
    return view;
  };
  /**
   * The SVG, and the PNG when asked for. A view (its dataflow and scenegraph: megabytes for the map) is kept for the
   * PNG only when `keepViews` says one will be asked for soon (a build that writes PNGs); otherwise it is let go and
   * the PNG, if ever asked for (the preview's download link), draws the chart again.
   */
  const draw = async (spec: ChartSpec["spec"]) => {
    let view: vega.View | undefined = await viewOf(spec);
    const svg = roundPaths(await view.toSVG());
    if (!opts.keepViews) {
      view.finalize();
      view = undefined;
    }
    let png: Promise<Uint8Array> | undefined;
    const renderPng = async () => {
      const v = view ?? (await viewOf(spec));
      view = undefined;
      const canvas = (await v.toCanvas(2)) as unknown as Canvas;
      const { width, height } = canvas;
      const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
      v.finalize();
      return encodePng(width, height, pixels); // core/png.ts: a third of the CPU of the canvas's own encoder
    };
    return {
      svg,
      png: () => {
        png ??= renderPng();
        return png;
      },
    };
  };
  return Promise.all(
    specs.map(async (c) => {
      let drawn: Awaited<ReturnType<typeof draw>> | undefined;
      if (cache) {
        const key = `${lang}|${JSON.stringify({ ...c.spec, description: undefined })}`;
        drawn = cache.get(key);
        if (!drawn) {
          if (cache.size >= CACHE_LIMIT) cache.clear();
          drawn = await draw(c.spec);
          cache.set(key, drawn);
        }
      } else drawn = await draw(c.spec);
      return {
        id: c.id,
        svg: accessibleSvg(drawn.svg, c.spec.description ?? c.id),
        png: drawn.png,
        csv: c.data ? toCsv(c.data.columns, c.data.rows) : toCsv(c.columns, c.rows),
        // indented for reading, except a spec carrying boundaries (thousands of coordinates, one per line otherwise)
        specJson: `${"datasets" in c.spec ? JSON.stringify(c.spec) : JSON.stringify(c.spec, null, 2)}\n`,
        table: toTable(c.columns, c.rows, lang),
      };
    }),
  );
}

/** Path coordinates to one decimal (a tenth of a pixel): the map's SVG shrinks by half, nothing visible changes. */
function roundPaths(svg: string): string {
  return svg.replace(
    / d="([^"]*)"/g,
    (_m, d: string) => ` d="${d.replace(/\d+\.\d{2,}/g, (n) => String(Math.round(Number(n) * 10) / 10))}"`,
  );
}

/** The SVG as an image with its description (vega writes aria attributes; make sure role and label are there). */
function accessibleSvg(svg: string, description: string): string {
  const esc = description.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  // one image with one name and its description: the roles vega gives its inner mark groups
  // (role="graphics-symbol" without a name) would be announced as unnamed graphics (axe: svg-img-alt)
  const inner = (body: string) => body.replace(/\s(role="graphics-[a-z]+"|aria-roledescription="[^"]*")/g, "");
  return svg.replace(/^<svg([^>]*)>([\s\S]*)$/, (_m, attrs: string, body: string) => {
    const clean = attrs.replace(/\s(role|aria-label|aria-roledescription)="[^"]*"/g, "");
    return `<svg${clean} role="img" aria-label="${esc}" focusable="false">${inner(body)}`;
  });
}

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
/** CSV with a BOM so spreadsheet programs read the UTF-8 labels right; numbers unformatted (machine-readable). */
export function toCsv(columns: string[], rows: (string | number)[][]): string {
  return `\uFEFF${[columns, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n")}\r\n`;
}

/**
 * The data as an HTML table in the edition's language: one number of decimals per column (a column that holds a
 * fraction anywhere shows one decimal everywhere, "33.0" next to "61.8"), the language's separators, a true minus.
 */
export function toTable(columns: string[], rows: (string | number)[][], lang: Lang): string {
  const intl = lang === "nl" ? "nl-BE" : "en-GB";
  const decimals = columns.map((_, j) =>
    rows.some((r) => typeof r[j] === "number" && !Number.isInteger(r[j])) ? 1 : 0,
  );
  const fmts = decimals.map((d) => new Intl.NumberFormat(intl, { minimumFractionDigits: d, maximumFractionDigits: d }));
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const cell = (v: string | number, j: number) =>
    typeof v === "number" ? esc(fmts[j]!.format(v).replace("-", "\u2212")) : esc(v);
  return `<table><thead><tr>${columns.map((c) => `<th scope="col">${esc(c)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((v, j) => `<td>${cell(v, j)}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}
