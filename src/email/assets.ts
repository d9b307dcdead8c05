import { join } from "node:path";
import type { Lang } from "../core/domain.ts";
import type { Effects } from "../effects.ts";
import { problem } from "../errors/messages.ts";
import { InputError } from "../errors/problem.ts";
import type { EditionSummary } from "../narrative/summary.ts";
import type { EditionAssets } from "./compose.ts";

/** What a message carries of a built edition (summary, PDF, main chart), read from `dir/<lang>/`. */
export async function loadEditionAssets(
  dir: string,
  o: { year: number; langs: Lang[]; synthetic: boolean },
  fx: Pick<Effects, "readFile" | "exists">,
): Promise<Map<Lang, EditionAssets>> {
  const assets = new Map<Lang, EditionAssets>();
  for (const lang of o.langs) {
    const at = (rel: string) => join(dir, lang, rel);
    if (!(await fx.exists(at("bulletin.pdf"))) || !(await fx.exists(at("summary.json"))))
      throw new InputError(`no built ${lang} edition in ${join(dir, lang)}`, [
        problem("not-built", { file: at("bulletin.pdf") }, { year: o.year }),
      ]);
    assets.set(lang, {
      year: o.year,
      lang,
      summary: JSON.parse((await fx.readFile(at("summary.json"))).toString("utf8")) as EditionSummary,
      pdf: new Uint8Array(await fx.readFile(at("bulletin.pdf"))),
      // a municipal edition has PNG copies of its figures only when config.yml asks (output.municipalPng)
      ...((await fx.exists(at("charts/headline.png")))
        ? { chartPng: new Uint8Array(await fx.readFile(at("charts/headline.png"))) }
        : {}),
      synthetic: o.synthetic,
    });
  }
  return assets;
}
