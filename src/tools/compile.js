// `npm run compile`: bundles the command into dist/ with esbuild (one ES module per lazily loaded part: the build
// does not load the mail code, `check` does not load puppeteer). Bundled and minified, the modules load with
// ~0.5 s less CPU than the file-per-module output of tsc (A/B, 5 cold builds each: HTML-only 2.16 s vs 2.49 s,
// full build 5.23 s vs 5.56 s). Type checking is `npm run typecheck` (and a test).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * puppeteer-core's browser downloader (@puppeteer/browsers) fetches through `proxy-agent`, which brings a PAC-script
 * interpreter (QuickJS compiled to JavaScript, esprima, escodegen, an FTP client: 1.2 MB minified). The bulletin
 * never downloads a browser (it starts Debian's Chromium itself and connects to it), so `proxy-agent` is replaced by
 * a module that says so if it is ever used. Loading puppeteer then costs ~85 ms of CPU instead of ~120.
 */
const withoutBrowserDownloads = {
  name: "without-browser-downloads",
  setup(b) {
    b.onResolve({ filter: /^proxy-agent$/ }, () => ({ path: "proxy-agent", namespace: "not-bundled" }));
    b.onLoad({ filter: /.*/, namespace: "not-bundled" }, () => ({
      contents:
        "export class ProxyAgent { constructor() { throw new Error('migration-bulletin does not download browsers: install Chromium (README § Set-up)'); } }",
      loader: "js",
    }));
  },
};
/**
 * zod's `locales` namespace (its error messages in 60-odd languages, ~260 kB minified, parsed by every command that
 * reads config.yml; exported by zod's classic and core modules) is replaced by its English one: config.yml's messages
 * are in English (src/config), and zod itself imports English directly (classic/schemas.js) as its default.
 */
const englishOnlyZod = {
  name: "english-only-zod",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (a) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(a.importer)
        ? { path: join(dirname(a.importer), "..", "locales", "en.js"), namespace: "zod-en" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-en" }, (a) => ({
      contents: `export { default as en } from ${JSON.stringify(a.path)};`,
      loader: "js",
      resolveDir: dirname(a.path),
    }));
  },
};
const out = join(root, "dist");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  // the CLI, and the municipal batch's render thread (src/commands/batch/thread.ts starts dist/batch-worker.js)
  entryPoints: {
    cli: join(root, "src/cli.ts"),
    "batch-worker": join(root, "src/commands/batch/worker.ts"),
  },
  outdir: out,
  bundle: true,
  splitting: true,
  minify: true,
  // error stacks map back to the TypeScript with `node --enable-source-maps`
  sourcemap: "linked",
  platform: "node",
  format: "esm",
  target: "node20",
  // a native addon: loaded from node_modules at run time
  external: ["canvas"],
  plugins: [withoutBrowserDownloads, englishOnlyZod],
  // CommonJS dependencies call require() for Node's own modules; an ES module has none of its own
  banner: {
    js: "import { createRequire as __bulletinRequire } from 'node:module'; const require = __bulletinRequire(import.meta.url);",
  },
  logLevel: "warning",
});
// bin.js runs dist/ only when this stamp is newer than every source file
writeFileSync(join(out, ".compiled"), "");
