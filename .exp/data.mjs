import { createCanvas } from "canvas";
import { readFileSync } from "node:fs";
const minflt = () => Number(readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ")[7]);
const c = createCanvas(1400, 900); const ctx = c.getContext("2d"); ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, 1400, 900);
for (const m of ["getImageData", "data", "getImageData", "data"]) {
  const f0 = minflt(); const t0 = performance.now(); const keep = [];
  for (let k = 0; k < 14; k++) { ctx.fillRect(k, k, 10, 10); keep.push(m === "data" ? c.data() : ctx.getImageData(0, 0, 1400, 900).data); }
  console.log(m, (performance.now() - t0).toFixed(0), "ms faults", minflt() - f0, keep[0].length);
}
