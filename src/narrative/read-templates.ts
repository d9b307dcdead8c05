import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { Lang } from "../core/domain.ts";
import { SECTION_IDS } from "../core/domain.ts";
import { FONT_FILES, fontFaceCss } from "../core/fonts.ts";
import type { Effects } from "../effects.ts";
import { problem } from "../errors/messages.ts";
import { InputError } from "../errors/problem.ts";
import { type Locale, localeKeyDiff, makeLocale } from "../i18n/locale.ts";

/** The sections of a municipality's edition (templates/narrative/<lang>/municipal/<id>.hbs). */
export const MUNICIPAL_SECTIONS = SECTION_IDS.slice(0, 5);

/** The parts of the bulletin that are text without a figure, after the figures' sections. */
export const TEXT_SECTIONS = ["revisions", "definitions"] as const;

export interface TemplateSet {
  locales: Record<string, Locale>;
  narrative: Record<string, Record<string, { file: string; source: string }>>;
  layout: string;
  css: string;
  fontFaces: string;
  fontFiles: { weight: number; style: string; file: string; data: Uint8Array }[];
}

/**
 * Reads templates/ for the languages of the edition, and checks that they agree: every locale has the keys of every
 * other, every language has a narrative template for every section (English is not a silent fallback here: a
 * bulletin with a missing translation must not be published).
 */
export async function readTemplates(dir: string, langs: Lang[], fx: Pick<Effects, "readFile">): Promise<TemplateSet> {
  const text = async (rel: string) => {
    try {
      return (await fx.readFile(join(dir, rel))).toString("utf8");
    } catch {
      throw new InputError(`missing template file ${join(dir, rel)}`, [
        problem("missing-template", { file: join(dir, rel) }),
      ]);
    }
  };
  const locales: Record<string, Locale> = {};
  const raw: Record<string, Record<string, unknown>> = {};
  for (const lang of langs) {
    const file = join(dir, `locales/${lang}.yml`);
    const src = await text(`locales/${lang}.yml`);
    raw[lang] = parse(src) as Record<string, unknown>;
    locales[lang] = makeLocale(lang, src, file);
  }
  const problems = [];
  for (const a of langs)
    for (const b of langs) {
      if (a >= b) continue;
      const d = localeKeyDiff(raw[a]!, raw[b]!);
      for (const k of d.onlyA)
        problems.push(problem("missing-label", { file: join(dir, `locales/${b}.yml`) }, { key: k, other: a, lang: b }));
      for (const k of d.onlyB)
        problems.push(problem("missing-label", { file: join(dir, `locales/${a}.yml`) }, { key: k, other: b, lang: a }));
    }
  if (problems.length) throw new InputError("the locale files do not agree", problems);
  const narrative: TemplateSet["narrative"] = {};
  for (const lang of langs) {
    narrative[lang] = {};
    for (const id of [...SECTION_IDS, ...TEXT_SECTIONS]) {
      const rel = `narrative/${lang}/${id}.hbs`;
      narrative[lang]![id] = { file: join(dir, rel), source: await text(rel) };
    }
    // a municipality's edition has templates of its own for its sections
    for (const id of MUNICIPAL_SECTIONS) {
      const rel = `narrative/${lang}/municipal/${id}.hbs`;
      narrative[lang]![`municipal/${id}`] = { file: join(dir, rel), source: await text(rel) };
    }
  }
  const fontFiles = await Promise.all(
    FONT_FILES.map(async (f) => ({ ...f, data: new Uint8Array(await fx.readFile(f.file)) })),
  );
  return {
    locales,
    narrative,
    layout: await text("layout/bulletin.hbs"),
    css: await text("styles/bulletin.css"),
    fontFaces: fontFaceCss(fontFiles),
    fontFiles,
  };
}

/**
 * The templates shipped with the program: the nearest `templates/` above this module (src/narrative/ when run from
 * the sources, dist/ when run compiled).
 */
export const PACKAGE_TEMPLATES = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4 && !existsSync(join(dir, "templates", "layout", "bulletin.hbs")); i++) dir = dirname(dir);
  return join(dir, "templates");
})();

/** The project's own templates/ next to its config.yml when it has one, else the templates shipped with the program. */
export async function templatesDirFor(configPath: string, fx: Pick<Effects, "exists">): Promise<string> {
  const local = join(dirname(configPath), "templates");
  return (await fx.exists(join(local, "layout", "bulletin.hbs"))) ? local : PACKAGE_TEMPLATES;
}
