/**
 * `bulletin audit DIR…`, chained: 1 config (the code lists of the geography) ─ 2 every indicators.json under the
 * folders (every edition of every year given, as published) ─ 3 the round's linear system and its audit
 * (disclosure/audit.ts) ─ 4 the report. It reads only what was written: a reader has nothing else.
 */
import { createHash } from "node:crypto";
import { join, relative } from "node:path";
import { hashedCache } from "../chain/hashed-cache.ts";
import { programHash } from "../chain/round.ts";
import { loadConfig } from "../config/read-config.ts";
import { readOneTable } from "../data/read-datasets.ts";
import { type AuditEdition, type AuditReport, auditEditions, formatAudit } from "../disclosure/audit.ts";
import { roundGeography } from "../disclosure/keys.ts";
import { categoriesOf } from "../disclosure/round.ts";
import type { Effects } from "../effects.ts";
import { ExitCode, InputError, type Problem } from "../errors/problem.ts";
import type { Indicators } from "../indicators/types.ts";

/** Every indicators.json under `dir` (sorted). */
async function findEditions(dir: string, fx: Effects): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const name of (await fx.list(d)).sort()) {
      const p = join(d, name);
      if (name === "indicators.json") out.push(p);
      else if (!name.includes(".")) await walk(p);
    }
  };
  await walk(dir);
  return out;
}

/**
 * The audit of the folders' editions. With `reuse`, a round that passed before with exactly these inputs is not
 * solved again: the passing report is kept in the machine's cache (`fx.cacheDir`, beside the rounds' patterns) under a
 * sha256 of the program's disclosure code, the rule, the code lists and every edition file (its path in its folder
 * and its bytes). Only a pass is kept, so a round that fails is always audited anew. The checks a build and a send
 * make reuse it; `bulletin audit` always solves.
 */
export async function auditDirs(
  req: { dirs: string[]; configPath: string; reuse?: boolean },
  fx: Effects,
): Promise<{ report: AuditReport; minCount: number }> {
  const config = await loadConfig(req.configPath, fx); // 1
  const problems: Problem[] = [];
  const key = createHash("sha256").update(await programHash(fx));
  key.update(JSON.stringify({ rule: config.disclosure, geography: config.geography, editions: config.editions }));
  const read = async (name: "municipalities" | "crosswalk" | "components" | "nationalities") => {
    const r = await readOneTable(config, name, fx);
    problems.push(...r.problems);
    key.update(name).update(JSON.stringify(r.table.rows)); // the rows as read: the same for a copy of the project
    return r.table;
  };
  const municipalities = await read("municipalities");
  const crosswalk = await read("crosswalk");
  const components = await read("components");
  const nationalities = await read("nationalities");
  if (problems.some((p) => p.severity === "error")) throw new InputError("cannot read the code lists", problems);
  const editions: AuditEdition[] = []; // 2
  for (const dir of req.dirs) {
    if (!(await fx.exists(dir)))
      throw new InputError(`${dir}: no such folder (give the folders a build wrote, e.g. output/2024)`);
    const files = await findEditions(dir, fx);
    if (!files.length)
      throw new InputError(
        `${dir}: no edition in it (no indicators.json below it; build first: npm run bulletin -- build)`,
      );
    for (const file of files) {
      let ind: Indicators;
      const bytes = await fx.readFile(file);
      key.update(`${req.dirs.indexOf(dir)} ${relative(dir, file)} ${bytes.length}\n`).update(bytes);
      try {
        ind = JSON.parse(bytes.toString("utf8")) as Indicators;
      } catch (e) {
        throw new InputError(`${file}: not valid JSON (${(e as Error).message}); build the edition again`);
      }
      if (!ind?.meta?.year || !ind.meta.area)
        throw new InputError(`${file}: not an edition's indicators.json (no meta.year and meta.area)`);
      editions.push({ file, ind });
    }
  }
  const minCount = config.disclosure.minCount;
  const passed = req.reuse ? passedAudits(fx, key.digest("hex")) : undefined;
  const known = await passed?.read();
  if (known) return { report: known, minCount };
  const region = config.geography.region;
  const geos = new Map<number, ReturnType<typeof roundGeography>>();
  const geoOf = (year: number) => {
    let g = geos.get(year);
    if (!g) {
      const geography = config.editions[String(year)]?.geography ?? year;
      g = roundGeography({ municipalities, crosswalk }, { year, geography, region });
      geos.set(year, g);
    }
    return g;
  };
  const cats = categoriesOf({ components, nationalities } as Parameters<typeof categoriesOf>[0]);
  const report = await auditEditions(editions, geoOf, cats, minCount); // 3
  if (!report.findings.length && !report.conflicts.length) await passed?.write(report);
  return { report, minCount };
}

/** The passing report of the audit keyed `hash`, in the machine's cache (none when there is no cache folder). */
function passedAudits(fx: Effects, hash: string) {
  const files = hashedCache<{ hash: string; report: AuditReport }>(fx, (h) => `audit-passed-${h.slice(0, 32)}.json`);
  return {
    async read(): Promise<AuditReport | undefined> {
      const r = (await files.read(hash))?.report;
      return r && !r.findings.length && !r.conflicts.length ? r : undefined;
    },
    write: (report: AuditReport) => files.write({ hash, report }),
  };
}

/**
 * After a build that wrote area or municipal editions: the audit of the year's folder (everything published there,
 * read together, as a reader reads the files). The round's pattern was checked before anything was drawn; this
 * reads what was written. A failure exits 1 (and `send` refuses the round).
 */
export async function auditAfterBuild(yearDirs: string[], configPath: string, fx: Effects) {
  for (const dir of [...new Set(yearDirs)]) {
    const audited = await auditDirs({ dirs: [dir], configPath, reuse: true }, fx).catch((e: Error) => e);
    if (audited instanceof Error) {
      // the editions are published; an older file the audit cannot read is reported, not a failed build
      process.stderr.write(`warning: audit ${dir}: not run: ${audited.message}\n`);
      continue;
    }
    const { report, minCount } = audited;
    if (!report.findings.length && !report.conflicts.length) {
      process.stderr.write(
        `audit ${dir}: ok, ${report.editions} editions read together, ${report.hidden} hidden counts protected\n`,
      );
      continue;
    }
    const first = report.findings[0];
    process.stderr.write(
      `error: audit ${dir}: not safe to publish: ${report.findings.length} counts of 1–${minCount - 1} published or worked out across ${report.editions === 1 ? "its edition" : `its ${report.editions} editions`}${first ? ` (first: ${first.key.split("|").join(" ")})` : ""}; see \`npx bulletin audit ${dir}\` (editions built by an older program in the same folder: build them again)\n`,
    );
    process.exitCode = ExitCode.badInput;
  }
}

/** `bulletin audit DIR…`: the report, exit 1 on a finding. */
export async function runAudit(dirs: string[], o: { config: string }, fx: Effects) {
  const { report, minCount } = await auditDirs({ dirs, configPath: o.config }, fx);
  process.stderr.write(`${formatAudit(report, minCount)}\n`);
  if (report.findings.length || report.conflicts.length) process.exitCode = ExitCode.badInput;
}
