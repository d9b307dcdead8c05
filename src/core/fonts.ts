import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The one typeface of the bulletin (text and charts), shipped by npm and embedded in every HTML and PDF. */
export const FONT_FAMILY = "Source Sans 3";
const require = createRequire(import.meta.url);
const dir = join(dirname(require.resolve("@fontsource/source-sans-3/package.json")), "files");
export const FONT_FILES = [
  { weight: 400, style: "normal", file: join(dir, "source-sans-3-latin-400-normal.woff2") },
  { weight: 400, style: "italic", file: join(dir, "source-sans-3-latin-400-italic.woff2") },
  { weight: 600, style: "normal", file: join(dir, "source-sans-3-latin-600-normal.woff2") },
  { weight: 700, style: "normal", file: join(dir, "source-sans-3-latin-700-normal.woff2") },
];

/** @font-face rules with the font files inlined as data URIs. */
export function fontFaceCss(files: { weight: number; style: string; data: Uint8Array }[]): string {
  return files
    .map(
      (f) =>
        `@font-face{font-family:"${FONT_FAMILY}";font-style:${f.style};font-weight:${f.weight};font-display:block;src:url(data:font/woff2;base64,${Buffer.from(f.data).toString("base64")}) format("woff2");}`,
    )
    .join("\n");
}
