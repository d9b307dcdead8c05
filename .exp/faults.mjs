import { readFileSync } from "node:fs";
const minflt = () => Number(readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ")[7]);
const src = new Uint8Array(5 * 1024 * 1024).fill(7);
let keep = [];
for (const mode of ["fresh", "fresh", "reuse", "reuse"]) {
  const f0 = minflt(); const t0 = performance.now();
  let reused = Buffer.allocUnsafe(src.length + 1000);
  for (let k = 0; k < 14; k++) {
    const b = mode === "fresh" ? Buffer.allocUnsafe(src.length + 1000) : reused;
    for (let y = 0; y < 700; y++) b.set(src.subarray(y * 7000, (y + 1) * 7000), y * 7001 + 1);
    if (mode === "fresh") keep.push(b);
  }
  console.log(mode, "ms", (performance.now() - t0).toFixed(1), "faults", minflt() - f0);
  keep = [];
}
