/** How imported boundaries meet the code list: the region's municipalities without a shape, shapes without data. */
export interface BoundaryMatch {
  report: string;
  missing: string[];
  extra: string[];
  count: number;
}

export function matchBoundaries(
  shapeCodes: string[],
  municipalities: { nis: string; name: string }[],
  o: { region: string; out: string; geography?: number },
): BoundaryMatch {
  const have = new Set(shapeCodes);
  const known = new Set(municipalities.map((m) => m.nis));
  const missing = municipalities.filter((m) => !have.has(m.nis)).map((m) => `${m.nis} ${m.name}`);
  const extra = shapeCodes.filter((c) => !known.has(c));
  const lines = [
    `wrote ${o.out}: ${shapeCodes.length} shapes, ${municipalities.length - missing.length} of the ${municipalities.length} municipalities of region ${o.region}${o.geography ? ` (as of 1 January ${o.geography})` : ""} matched`,
    missing.length
      ? `municipalities of the data without a shape (${missing.length}): ${missing.join(", ")}`
      : "every municipality of the data has a shape",
    extra.length
      ? `shapes without data (${extra.length}, drawn as context): ${extra.join(", ")}`
      : "every shape has data",
  ];
  return { report: lines.join("\n"), missing, extra, count: shapeCodes.length };
}
