#!/usr/bin/env node
// The `bulletin` command. Runs the compiled JavaScript in dist/ when it is there and newer than every source file
// (`npm run compile`, done by the set-up); otherwise the TypeScript sources through tsx's loader, which costs about a
// second of start-up but never runs stale code.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const src = fileURLToPath(new URL(".", import.meta.url));
const stamp = join(src, "..", "dist", ".compiled");

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith(".ts")) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

let compiled = false;
try {
  compiled = statSync(stamp).mtimeMs >= newestSource(src);
} catch {}
if (compiled) {
  await import("../dist/cli.js");
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("./cli.ts");
}
