import type { AreaLevel } from "../core/domain.ts";
import type { Merged } from "../data/harmonise.ts";
import type { Datasets } from "../data/read-datasets.ts";
import type { Area } from "./area.ts";
import type { Composition } from "./types.ts";

/*
 * When municipalities merge, an edition on the new geography shows its earlier years recomputed for the municipalities
 * as they are now (data/harmonise.ts). A reader comparing with the previous edition must know which areas that
 * changes: the edition's municipality when it was formed by a merger (Hasselt = Hasselt + Kortessem since 2025), and
 * every area it shows or is compared with that lost or gained a municipality (the arrondissement of Tongeren lost
 * Kortessem to the arrondissement of Hasselt). Only the mergers that fall inside the years shown count.
 */

const LEVELS = ["arrondissement", "province", "region"] as const;

/** What the edition's areas changed by the mergers inside the years it shows; null when nothing changed. */
export function compositionOf(
  ds: Pick<Datasets, "areas">,
  area: Area,
  o: { geography: number; recomputed: number[]; merged: Merged[]; years: number[] },
): Composition | null {
  const first = Math.min(...o.years);
  const merged = o.merged.filter((m) => m.since > first && m.since <= o.geography);
  if (!merged.length) return null;
  const names: Composition["names"] = {};
  const muni = (nis: string, name: string) => {
    names[nis] = { level: "municipality", nl: name, en: name };
  };
  const areaName = (nis: string, level: AreaLevel) => {
    const r = ds.areas.rows.find((a) => a.nis === nis);
    names[nis] = { level, nl: String(r?.name_nl ?? nis), en: String(r?.name_en ?? r?.name_nl ?? nis) };
  };
  // the edition's municipality, when a merger formed it
  const formedFrom =
    area.level === "municipality" ? merged.filter((m) => m.into.nis === area.nis).map((m) => m.old) : [];
  for (const p of formedFrom) muni(p.nis, p.name);
  if (formedFrom.length) muni(area.nis, area.label.nl);
  // the areas the edition shows or compares with: its own, and those it lies in
  const row = area.municipalities[0];
  const within = new Map<string, (typeof LEVELS)[number]>();
  const own = LEVELS.find((l) => l === area.level);
  if (own) within.set(area.nis, own);
  for (const level of LEVELS) {
    const nis = row ? String(row[level] ?? "") : "";
    if (!nis || nis === area.nis) continue;
    // an area the edition's area lies in (for an arrondissement: its province and region)
    if (area.municipalities.every((m) => m[level] === nis)) within.set(nis, level);
  }
  const moves: Composition["moves"] = [];
  for (const [nis, level] of within)
    for (const m of merged) {
      const was = m.old[level] === nis;
      const is = m.into[level] === nis;
      if (was === is) continue;
      moves.push({
        area: nis,
        kind: was ? "lost" : "gained",
        municipality: m.old.nis,
        into: m.into.nis,
        other: was ? m.into[level] : m.old[level],
      });
      areaName(nis, level);
      areaName(was ? m.into[level] : m.old[level], level);
      muni(m.old.nis, m.old.name);
      muni(m.into.nis, m.into.name);
    }
  if (!formedFrom.length && !moves.length) return null;
  return {
    geography: o.geography,
    years: o.recomputed.filter((y) => o.years.includes(y)),
    formedFrom: formedFrom.map((p) => p.nis),
    moves,
    names,
  };
}
