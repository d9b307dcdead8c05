import { lstatSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { root } from "./helpers.ts";

/** Every path under `dir` with its permission bits (octal), folders marked with a slash. */
export function modes(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      const rel = relative(dir, p);
      out.set(st.isDirectory() ? `${rel}/` : rel, (st.mode & 0o777).toString(8));
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** The paths whose mode is not the one expected (folders `dirMode`, files `fileMode`). */
export const wrong = (m: Map<string, string>, dirMode: string, fileMode: string) =>
  [...m].filter(([p, mode]) => mode !== (p.endsWith("/") ? dirMode : fileMode));

/** The arguments of `sh` that run `bulletin ARGS` under `umask`, as a user or a scheduler would start it. */
export const underUmask = (umask: string, args: string[]) => [
  "-c",
  `umask ${umask} && exec "$@"`,
  "sh",
  process.execPath,
  join(root, "src/bin.js"),
  ...args,
];
