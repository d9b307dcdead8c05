import type { Indicators } from "../indicators/types.ts";

/**
 * A published value, or the marker of a hidden one: "<5" for a count of 1–4 (its path is among the edition's
 * primary suppressions), "x" for anything else disclosure control hides. Tables and downloads show it so; nothing
 * reads a hidden number, there is none to read.
 */
export function shownValue(ind: Indicators, path: string): string | number {
  const v = path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], ind);
  if (v === null) return ind.disclosure?.primary.includes(path) ? `<${ind.disclosure.minCount}` : "x";
  return v as number;
}
