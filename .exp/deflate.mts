import { readdirSync, readFileSync } from "node:fs";
import * as vega from "vega";
import { compile } from "vega-lite";
import { GlobalFonts, type Canvas } from "canvas";
import { deflateSync, constants } from "node:zlib";
import { FONT_FAMILY, FONT_FILES } from "../src/core/fonts.ts";
for (const f of FONT_FILES) GlobalFonts.registerFromPath(f.file, FONT_FAMILY);
const dir = process.argv[2]!;
const specs = readdirSync(dir).filter((f) => f.endsWith(".vl.json")).map((f) => JSON.parse(readFileSync(`${dir}/${f}`, "utf8")));
const imgs: { w: number; h: number; px: Uint8Array }[] = [];
for (const s of specs) { const v = new vega.View(vega.parse(compile(s).spec), { renderer: "none" } as any); await v.runAsync(); const c = (await v.toCanvas(2)) as unknown as Canvas; const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data; imgs.push({ w: c.width, h: c.height, px: new Uint8Array(d.buffer, d.byteOffset, d.byteLength) }); }
function rows(img: { w: number; h: number; px: Uint8Array }, filter: 0 | 1 | 2) {
  const stride = img.w * 4; const out = Buffer.allocUnsafe((stride + 1) * img.h);
  for (let y = 0; y < img.h; y++) {
    const o = y * (stride + 1); out[o] = filter; const r = img.px.subarray(y * stride, (y + 1) * stride);
    if (filter === 0) out.set(r, o + 1);
    else if (filter === 1) { for (let i = 0; i < 4; i++) out[o + 1 + i] = r[i]!; for (let i = 4; i < stride; i++) out[o + 1 + i] = (r[i]! - r[i - 4]!) & 255; }
    else { if (y === 0) out.set(r, o + 1); else { const p = img.px.subarray((y - 1) * stride, y * stride); for (let i = 0; i < stride; i++) out[o + 1 + i] = (r[i]! - p[i]!) & 255; } }
  }
  return out;
}
for (const [name, filter, opts] of [
  ["none L4", 0, { level: 4 }], ["none L1", 0, { level: 1 }], ["none L2", 0, { level: 2 }], ["none L6", 0, { level: 6 }],
  ["none RLE", 0, { level: 4, strategy: constants.Z_RLE }], ["sub RLE", 1, { level: 4, strategy: constants.Z_RLE }],
  ["sub L1", 1, { level: 1 }], ["sub L4", 1, { level: 4 }], ["up L1", 2, { level: 1 }], ["up RLE", 2, { level: 4, strategy: constants.Z_RLE }],
] as const) {
  let tf = 0, td = 0, size = 0;
  for (let k = 0; k < 3; k++) { size = 0; for (const img of imgs) { let t = performance.now(); const r = rows(img, filter); tf += performance.now() - t; t = performance.now(); size += deflateSync(r, opts).length; td += performance.now() - t; } }
  console.log(name.padEnd(10), "filter", (tf / 3).toFixed(0).padStart(4), "deflate", (td / 3).toFixed(0).padStart(4), "size KB", (size / 1024).toFixed(0));
}
