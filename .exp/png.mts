import { readdirSync, readFileSync } from "node:fs";
import * as vega from "vega";
import { compile } from "vega-lite";
import { GlobalFonts, type Canvas } from "canvas";
import { FONT_FAMILY, FONT_FILES } from "../src/core/fonts.ts";
import { encodePng } from "../src/core/png.ts";
for (const f of FONT_FILES) GlobalFonts.registerFromPath(f.file, FONT_FAMILY);
const dir = process.argv[2]!;
const specs = readdirSync(dir).filter((f) => f.endsWith(".vl.json")).map((f) => JSON.parse(readFileSync(`${dir}/${f}`, "utf8")));
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
for (let round = 0; round < 4; round++) {
  const views = [];
  for (const s of specs) { const v = new vega.View(vega.parse(compile(s).spec), { renderer: "none" } as any); await v.runAsync(); views.push(v); }
  let tDraw = 0, tPix = 0, tEnc = 0, tSkia = 0;
  const mode = process.argv[3] ?? "ours";
  const c0 = cpu();
  for (const v of views) {
    let t = performance.now();
    const canvas = (await v.toCanvas(2)) as unknown as Canvas;
    tDraw += performance.now() - t; t = performance.now();
    if (mode === "skia") { await canvas.encode("png"); tSkia += performance.now() - t; continue; }
    const px = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    tPix += performance.now() - t; t = performance.now();
    await encodePng(canvas.width, canvas.height, px);
    tEnc += performance.now() - t;
  }
  console.log(mode, "round", round, "draw", tDraw.toFixed(0), "pixels", tPix.toFixed(0), "encode", tEnc.toFixed(0), "skia", tSkia.toFixed(0), "cpu", (cpu() - c0).toFixed(0));
}
