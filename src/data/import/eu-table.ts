import type { Row } from "../csv.ts";
import type { EurostatFile } from "./eurostat.ts";

/**
 * The EU comparison table with the imported files' values put in: each file updates its own column (immigrations
 * or population) and flag, the other column keeps its values. Codes the bulletin does not use (not in
 * codes/eu-geo.csv) are skipped and listed. Pure: rows in, the table's text and a report out.
 */
export function mergeEuTable(
  existing: Row[],
  files: EurostatFile[],
  euGeo: Set<string>,
): { text: string; report: string[]; kept: number } {
  type Cell = { immigrations?: number; population?: number; immigrations_flag: string; population_flag: string };
  const table = new Map<string, Cell>();
  const keyOf = (year: number, geo: string) => `${year}|${geo}`;
  for (const r of existing)
    table.set(keyOf(r.year as number, r.geo as string), {
      ...(r.immigrations !== undefined ? { immigrations: r.immigrations as number } : {}),
      ...(r.population !== undefined ? { population: r.population as number } : {}),
      immigrations_flag: (r.immigrations_flag as string | undefined) ?? "",
      population_flag: (r.population_flag as string | undefined) ?? "",
    });
  const report: string[] = [];
  let kept = 0;
  for (const f of files) {
    const skipped = new Map<string, number>();
    let missing = 0;
    let values = 0;
    const years = new Set<number>();
    const geos = new Set<string>();
    for (const o of f.observations) {
      if (!euGeo.has(o.geo)) {
        skipped.set(o.geo, (skipped.get(o.geo) ?? 0) + 1);
        continue;
      }
      const k = keyOf(o.year, o.geo);
      const cell = table.get(k) ?? { immigrations_flag: "", population_flag: "" };
      if (o.value === undefined) {
        delete cell[f.column];
        missing++;
      } else cell[f.column] = o.value;
      cell[`${f.column}_flag`] = o.flag;
      table.set(k, cell);
      years.add(o.year);
      geos.add(o.geo);
      values++;
      kept++;
    }
    const span = years.size ? `${Math.min(...years)}–${Math.max(...years)}` : "no year";
    report.push(
      `${f.file} (${f.format}, ${f.dataset}${f.lastUpdate ? `, last update ${f.lastUpdate}` : ""}): ${f.column} of ${geos.size} areas, ${span}, ${values} values${missing ? ` (${missing} not available)` : ""}`,
    );
    if (skipped.size)
      report.push(
        `  skipped, not used by the bulletin (not in codes/eu-geo.csv): ${[...skipped.keys()].sort().join(", ")} (${[...skipped.values()].reduce((a, b) => a + b, 0)} values)`,
      );
    if (f.otherValues) report.push(`  left out: ${f.otherValues} lines of other dimension values (see data/README.md)`);
  }
  const rows = [...table.entries()]
    .map(([k, c]) => {
      const [year, geo] = k.split("|");
      return { year: Number(year), geo: geo!, c };
    })
    .sort((a, b) => a.year - b.year || a.geo.localeCompare(b.geo));
  const text = `${[
    "year,geo,immigrations,population,immigrations_flag,population_flag",
    ...rows.map(({ year, geo, c }) =>
      [year, geo, c.immigrations ?? "", c.population ?? "", c.immigrations_flag, c.population_flag].join(","),
    ),
  ].join("\n")}\n`;
  return { text, report, kept };
}
