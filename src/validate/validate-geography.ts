import type { Row } from "../data/csv.ts";
import { validIn } from "../data/harmonise.ts";
import type { Datasets } from "../data/read-datasets.ts";
import { problem } from "../errors/messages.ts";
import type { Problem } from "../errors/problem.ts";

/**
 * The municipal geographies (data/harmonise.ts): the code list's validity years, the crosswalk against them, every
 * flow's and population's code valid in its year, and an edition's geography that the data can be put on. A code of
 * the wrong geography names the fix: the code it was merged into, or the codes it was formed from.
 */
export function validateGeography(ds: Datasets, p: { year: number; geography: number }): Problem[] {
  const out: Problem[] = [];
  const byNis = new Map(ds.municipalities.rows.map((r) => [r.nis as string, r]));
  const name = (nis: string) => `${nis} ${byNis.get(nis)?.name_nl ?? ""}`.trim();
  for (const r of ds.municipalities.rows)
    if (r.valid_from !== undefined && r.valid_to !== undefined && (r.valid_from as number) > (r.valid_to as number))
      out.push(
        problem(
          "invalid-period",
          { file: ds.municipalities.file, line: r.line },
          { nis: r.nis, name: r.name_nl, from: r.valid_from, to: r.valid_to },
        ),
      );

  const mergedInto = new Map<string, Row>();
  const formedFrom = new Map<string, string[]>();
  for (const c of ds.crosswalk.rows) {
    const [old, neu, since] = [c.nis_old as string, c.nis_new as string, c.since as number];
    const o = byNis.get(old);
    const n = byNis.get(neu);
    for (const [code, row] of [
      [old, o],
      [neu, n],
    ] as const)
      if (!row)
        out.push(
          problem(
            "unknown-code/crosswalk",
            { file: ds.crosswalk.file, line: c.line },
            { nis: code, municipalities: ds.municipalities.file },
          ),
        );
    if (o && n && (o.valid_to !== since - 1 || !validIn(n, since)))
      out.push(
        problem(
          "crosswalk-dates",
          { file: ds.crosswalk.file, line: c.line },
          { old: name(old), neu: name(neu), since, to: o.valid_to ?? "open" },
        ),
      );
    mergedInto.set(old, c);
    formedFrom.set(neu, [...(formedFrom.get(neu) ?? []), name(old)]);
  }

  /** The problem of a code known to the code list but not valid in `year`, with the fix. */
  const wrongGeography = (nis: string, year: number, where: { file: string; line?: number; column?: number }) => {
    const m = byNis.get(nis);
    if (!m || validIn(m, year)) return;
    const merged = mergedInto.get(nis);
    if (merged && (merged.since as number) <= year)
      out.push(
        problem("merged-code", where, {
          nis: name(nis),
          year,
          into: name(merged.nis_new as string),
          since: merged.since,
        }),
      );
    else
      out.push(
        problem("future-code", where, {
          nis: name(nis),
          year,
          from: m.valid_from ?? "?",
          parts: formedFrom.get(nis) ?? [],
          to: m.valid_to ?? "?",
        }),
      );
  };
  for (const [year, t] of ds.flows)
    t.dict.nis.codes.forEach((nis, i) => {
      wrongGeography(nis, year, { file: t.file, line: t.dict.nis.firstLine[i], column: 2 });
    });
  for (const r of ds.population.rows)
    wrongGeography(r.nis as string, (r.geography as number | undefined) ?? (r.year as number), {
      file: ds.population.file,
      line: r.line,
      column: 2,
    });

  // an edition's geography must not be older than a merger within the years it reads (merged data cannot be split)
  const read = [...ds.flows.keys(), p.year];
  const later = ds.crosswalk.rows.filter(
    (c) => (c.since as number) > p.geography && read.some((y) => y >= (c.since as number)),
  );
  if (later.length)
    out.push(
      problem(
        "geography-too-old",
        { file: ds.crosswalk.file, line: later[0]!.line },
        { year: p.year, geography: p.geography, since: later[0]!.since, count: later.length },
      ),
    );
  return out;
}
