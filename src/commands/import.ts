/**
 * `bulletin data import`, chained: 1 config ─ 2 the publisher's files read (Eurostat: SDMX-CSV or JSON-stat 2.0;
 * Statbel: the population file, streamed) ─ 3 merged into the contract's table (data/eu-comparison.csv,
 * data/population.csv) ─ 4 the table replaced atomically ─ 5 the import recorded in data/provenance.json.
 * Any problem in any file stops the import before anything is written.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { loadConfig } from "../config/read-config.ts";
import { decodeUtf8 } from "../core/text.ts";
import type { Row } from "../data/csv.ts";
import { validIn } from "../data/harmonise.ts";
import { mergeEuTable } from "../data/import/eu-table.ts";
import { type EurostatFile, readEurostat } from "../data/import/eurostat.ts";
import { readStatbelPopulation } from "../data/import/statbel.ts";
import type { ProvenanceEntry } from "../data/provenance.ts";
import { readOneTable } from "../data/read-datasets.ts";
import type { Effects } from "../effects.ts";
import { problem } from "../errors/messages.ts";
import { InputError, type Problem } from "../errors/problem.ts";
import { writeAtomic } from "../publish/publish.ts";

async function sha256(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

async function appendProvenance(fx: Effects, path: string, entries: ProvenanceEntry[]) {
  const old = (await fx.exists(path))
    ? (JSON.parse((await fx.readFile(path)).toString("utf8")) as ProvenanceEntry[])
    : [];
  await writeAtomic(fx, path, `${JSON.stringify([...old, ...entries], null, 2)}\n`);
}

/** A table of the contract as it is now, or no rows when it does not exist yet; a table with problems stops. */
async function current(
  config: Awaited<ReturnType<typeof loadConfig>>,
  name: "euComparison" | "population",
  fx: Effects,
) {
  const file = join(config.data.dir, config.data[name]);
  if (!(await fx.exists(file))) return { file, rows: [] as Row[] };
  const { table, problems } = await readOneTable(config, name, fx);
  if (problems.some((p) => p.severity === "error"))
    throw new InputError(`${file} must be right before anything is imported into it`, problems);
  return { file, rows: table.rows };
}

export async function importEurostat(req: { configPath: string; files: string[] }, fx: Effects): Promise<string> {
  const config = await loadConfig(req.configPath, fx); // 1
  const read: EurostatFile[] = [];
  const problems: Problem[] = [];
  for (const f of req.files) {
    const text = decodeUtf8(f, await fx.readFile(f), problems);
    if (text === undefined) throw new InputError(`${f} cannot be imported`, problems);
    read.push(readEurostat(f, text)); // 2
  }
  const eu = await current(config, "euComparison", fx);
  const { table: geo } = await readOneTable(config, "euGeo", fx);
  const merged = mergeEuTable(eu.rows, read, new Set(geo.rows.map((r) => r.geo as string))); // 3
  await writeAtomic(fx, eu.file, merged.text); // 4
  const imported = fx.now().toISOString();
  await appendProvenance(
    fx,
    join(config.data.dir, config.data.provenance),
    await Promise.all(
      read.map(async (r) => ({
        table: config.data.euComparison,
        source: "Eurostat",
        dataset: r.dataset,
        file: basename(r.file),
        sha256: await sha256(r.file),
        bytes: (await stat(r.file)).size,
        ...(r.lastUpdate ? { lastUpdate: r.lastUpdate } : {}),
        imported,
        linesRead: r.linesRead,
        linesKept: r.observations.length,
      })),
    ),
  ); // 5
  return [`wrote ${eu.file}`, ...merged.report].join("\n");
}

export async function importStatbelPopulation(
  req: { configPath: string; file: string; year?: number },
  fx: Effects,
): Promise<string> {
  const config = await loadConfig(req.configPath, fx); // 1
  const t0 = performance.now();
  const s = await readStatbelPopulation(req.file, req.year); // 2
  const ms = performance.now() - t0;
  const pop = await current(config, "population", fx);
  const { table: munis } = await readOneTable(config, "municipalities", fx);
  const { table: areas } = await readOneTable(config, "areas", fx);
  // 3: the municipalities of the code list valid that year, and every area of the code lists the file has
  const known = new Set([
    ...munis.rows.filter((m) => validIn(m, s.year)).map((m) => m.nis as string),
    ...areas.rows.filter((a) => a.level !== "country").map((a) => a.nis as string),
  ]);
  // the file's hierarchy must be the code list's: each municipality of the code list in the same arrondissement,
  // province and region (a municipality the code list does not hold is counted in its region only)
  const problems: Problem[] = [];
  const valid = munis.rows.filter((m) => validIn(m, s.year));
  for (const m of valid) {
    const f = s.parents.get(m.nis as string);
    if (!f) continue;
    const want = {
      arrondissement: m.arrondissement as string,
      province: m.province as string,
      region: m.region as string,
    };
    for (const level of ["arrondissement", "province", "region"] as const)
      if (f[level] !== (want[level] ?? ""))
        problems.push(
          problem(
            "import/statbel",
            { file: req.file, line: f.line },
            {
              why: `municipality ${m.nis} (${m.name_nl}) lies in ${level} ${f[level] || "(none)"} in the file, in ${want[level] || "(none)"} in ${munis.file} (line ${m.line})`,
              hint: `import the file of the code list's year, or correct ${munis.file}`,
            },
          ),
        );
  }
  // each area of the code lists the file has: its total is the sum of its municipalities (nothing counted twice)
  for (const a of areas.rows) {
    const col = { region: "region", province: "province", arrondissement: "arrondissement" }[a.level as string];
    const total = s.totals.get(a.nis as string);
    if (!col || total === undefined) continue;
    const inside = [...s.parents].filter(([, up]) => up[col as "region"] === a.nis);
    const sum = inside.reduce((n, [m]) => n + (s.totals.get(m) ?? 0), 0);
    if (sum !== total)
      problems.push(
        problem(
          "import/statbel",
          { file: req.file },
          {
            why: `${a.nis} (${a.name_en}) totals ${total.toLocaleString("en-GB")} but its ${inside.length} municipalities add up to ${sum.toLocaleString("en-GB")}`,
            hint: "a line counted twice or a municipality under two areas: check the export",
          },
        ),
      );
  }
  if (problems.length) throw new InputError(`${req.file} cannot be imported: its areas do not add up`, problems);
  const rows = [...s.totals].filter(([nis]) => known.has(nis)).sort((a, b) => a[0].localeCompare(b[0]));
  const outside = [...s.levels.municipalities].filter((m) => !known.has(m)).length;
  const keptOld = pop.rows.filter((r) => r.year !== s.year || (r.geography !== undefined && r.geography !== s.year));
  const cell = (r: Row) => [r.year, r.nis, r.population, r.geography ?? ""].join(",");
  const text = `${[
    "year,nis,population,geography",
    ...keptOld.map(cell),
    ...rows.map(([nis, n]) => `${s.year},${nis},${n},`),
  ].join("\n")}\n`;
  await writeAtomic(fx, pop.file, text); // 4
  await appendProvenance(fx, join(config.data.dir, config.data.provenance), [
    {
      table: config.data.population,
      source: "Statbel",
      dataset: `TF_SOC_POP_STRUCT_${s.year}`,
      file: basename(req.file),
      sha256: await sha256(req.file),
      bytes: (await stat(req.file)).size,
      imported: fx.now().toISOString(),
      linesRead: s.linesRead,
      linesKept: s.linesRead,
    },
  ]); // 5
  return [
    ...s.warnings.map((w) => `warning: ${w}`),
    `wrote ${pop.file}: population on 1 January ${s.year}, ${rows.length} areas (${rows.filter(([n]) => s.levels.municipalities.has(n)).length} municipalities of the code list and their arrondissements, provinces and regions)`,
    `  read ${s.linesRead.toLocaleString("en-GB")} lines (${s.format}) in ${Math.round(ms)} ms; ${outside} municipalities outside the code list (other regions) counted in their region only`,
  ].join("\n");
}
