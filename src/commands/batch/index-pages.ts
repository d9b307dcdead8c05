import { join } from "node:path";
import type { Lang } from "../../core/domain.ts";
import type { Effects } from "../../effects.ts";
import { writeAtomic } from "../../publish/publish.ts";
import type { Manifest } from "./manifest.ts";

/** The municipal editions' index page per language: each built edition's HTML and PDF, in the manifest's order. */
export async function writeIndexPages(fx: Effects, dir: string, m: Manifest, title: Record<Lang, string>) {
  const langs = [...new Set(m.editions.flatMap((e) => e.langs))] as Lang[];
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  for (const lang of langs) {
    const heading = lang === "nl" ? `${title.nl} ${m.year}: gemeenten` : `${title.en} ${m.year}: municipalities`;
    const items = m.editions
      .filter((e) => e.status === "built" && e.langs.includes(lang))
      .map(
        (e) =>
          `<li><a href="${e.area}/${lang}/bulletin.html">${esc(e.name)}</a> <small>(${e.area}, <a href="${e.area}/${lang}/bulletin.pdf">PDF</a>)</small></li>`,
      )
      .join("\n");
    await writeAtomic(
      fx,
      join(dir, `index.${lang}.html`),
      `<!doctype html>\n<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(heading)}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}li{margin:.2rem 0}</style></head><body><h1>${esc(heading)}</h1><ol>\n${items}\n</ol></body></html>\n`,
    );
  }
}
