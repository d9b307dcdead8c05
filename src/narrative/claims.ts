import type { Lang, SectionId } from "../core/domain.ts";
import { problem } from "../errors/messages.ts";
import type { Problem } from "../errors/problem.ts";
import type { Indicators } from "../indicators/types.ts";

/*
 * Editorial notes are free text, so the program cannot read what they say. What it can do: make the author state,
 * next to the note, the facts the note relies on as claims (`series.2024.immigration < series.2022.immigration`),
 * evaluate each against the indicators, and flag a note that names a year or a region no claim checks. A claim the
 * data contradict is an error (the note would be false); an unchecked year or region is a warning.
 */

/** `<path> <op> <path|number>`; a path is dotted: `series.<year>.<field>`, `regions.<nis>.<year>.<field>`, or any
 * indicator (`headline.balance`, `eu.rows.0.ratePer1000`). */
const CLAIM = /^\s*([\w.-]+)\s*(<=|>=|<|>|==|!=)\s*([\w.-]+)\s*$/;
const OPS: Record<string, (a: number, b: number) => boolean> = {
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
  "==": (a, b) => a === b,
  "!=": (a, b) => a !== b,
};
const OP_WORDS: Record<string, string> = {
  "<": "below",
  "<=": "at most",
  ">": "above",
  ">=": "at least",
  "==": "equal to",
  "!=": "different from",
};

/** The indicators as claims address them: the area's series and the regions' series keyed by year. */
function claimView(ind: Indicators): Record<string, unknown> {
  const regions: Record<string, Record<number, unknown>> = {};
  for (const r of ind.regions.series) {
    regions[r.region] ??= {};
    regions[r.region]![r.year] = r;
  }
  return { ...ind, series: Object.fromEntries(ind.series.map((s) => [s.year, s])), regions };
}

function resolve(view: Record<string, unknown>, term: string): number | string {
  if (/^-?\d+(\.\d+)?$/.test(term)) return Number(term);
  let v: unknown = view;
  for (const k of term.split(".")) v = v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
  if (typeof v === "number" && Number.isFinite(v)) return v;
  return v === undefined ? `\`${term}\` is not an indicator` : `\`${term}\` is not a number`;
}

export interface ClaimResult {
  claim: string;
  /** undefined when the claim could not be evaluated (see `error`) */
  holds?: boolean;
  left?: number;
  right?: number;
  error?: string;
}

export function evaluateClaim(ind: Indicators, claim: string): ClaimResult {
  const m = CLAIM.exec(claim);
  if (!m)
    return { claim, error: "a claim is written `<indicator> <op> <indicator or number>`, op one of < <= > >= == !=" };
  const view = claimView(ind);
  const left = resolve(view, m[1]!);
  const right = resolve(view, m[3]!);
  if (typeof left === "string") return { claim, error: left };
  if (typeof right === "string") return { claim, error: right };
  return { claim, holds: OPS[m[2]!]!(left, right), left, right };
}

const fmt = (x: number) => (Number.isInteger(x) ? x.toLocaleString("en-GB") : x.toFixed(1));

/**
 * The problems of one edition's notes: claims that do not hold or cannot be read (errors), and years or regions a
 * note names that no claim of its section checks (warnings). `key` names the notes in config.yml.
 */
export function checkNotes(o: {
  indicators: Indicators;
  notes: Partial<Record<Lang, Partial<Record<SectionId, string>>>>;
  claims: Partial<Record<SectionId, string[]>>;
  file: string;
  key: string;
  lines?: (path: string) => number | undefined;
}): Problem[] {
  const out: Problem[] = [];
  const ind = o.indicators;
  const at = (path: string) => ({ file: o.file, ...(o.lines?.(path) ? { line: o.lines(path)! } : {}) });
  for (const [section, list] of Object.entries(o.claims) as [SectionId, string[]][])
    list.forEach((claim, i) => {
      const path = `${o.key}.claims.${section}.${i}`;
      const r = evaluateClaim(ind, claim);
      if (r.error) out.push(problem("note-claim/invalid", at(path), { path, claim, detail: r.error }));
      else if (!r.holds)
        out.push(
          problem("note-claim/false", at(path), {
            path,
            claim,
            left: fmt(r.left!),
            right: fmt(r.right!),
            op: OP_WORDS[claim.match(/<=|>=|==|!=|<|>/)![0]]!,
          }),
        );
    });
  // what the notes name, per section: years and regions (in the note's language)
  const withSeries = new Set(ind.regions.series.map((r) => r.region));
  const regionNames = Object.entries(ind.labels.regions).filter(([nis]) => withSeries.has(nis));
  const sections = new Set<SectionId>();
  for (const byId of Object.values(o.notes)) for (const id of Object.keys(byId ?? {})) sections.add(id as SectionId);
  for (const id of sections) {
    const claimed = (o.claims[id] ?? []).join(" ");
    const named = new Set<string>();
    for (const [lang, byId] of Object.entries(o.notes) as [Lang, Partial<Record<SectionId, string>>][]) {
      const text = byId[id];
      if (!text) continue;
      for (const y of text.match(/\b(19|20)\d\d\b/g) ?? []) if (!claimed.includes(`.${y}.`)) named.add(y);
      for (const [nis, label] of regionNames)
        if (label[lang] && text.includes(label[lang]!) && !claimed.includes(`regions.${nis}.`))
          named.add(`${label.en} (${nis})`);
    }
    if (named.size)
      out.push(
        problem("note-claim/unchecked", at(`${o.key}.${[...Object.keys(o.notes)][0]}.${id}`), {
          key: o.key,
          section: id,
          named: [...named].join(", "),
        }),
      );
  }
  return out;
}
