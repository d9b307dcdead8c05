import type { Indicators } from "../indicators/types.ts";
import { cellsOf } from "./cells.ts";
import { cellKey, parseKey, type RoundGeography } from "./keys.ts";
import { lpAudit, smallPublished } from "./lp.ts";
import type { HiddenKind, Pattern } from "./pattern-types.ts";
import { propagate, protectedBounds } from "./propagate.ts";
import { buildSystem, type Categories, isHiddenKind, type Kind, type Round, type System } from "./system.ts";

/*
 * The audit of what a round has published, read as a reader with every file reads it: the indicators.json of every
 * edition given (every year, every level), put together as one linear system (system.ts) in which a published value
 * is known and a hidden one ("<5": 1 to minCount − 1; "x": 1 or more) is unknown. It says which hidden counts a reader
 * can narrow, and which counts of 1 to minCount − 1 are published outright, naming the cell and the files.
 *
 * Three steps, cheapest first: published small counts (a look-up), bounds propagation (one relation at a time), the
 * LP of every hidden count (HiGHS, lp.ts). A step that finds a leak ends the audit: the round fails already, and the
 * LP of a round that fails would only take longer to say so.
 */

export interface AuditEdition {
  file: string;
  ind: Indicators;
}

export interface AuditFinding {
  key: string;
  /** "small": a count of 1 to minCount − 1 published; "narrowed": a hidden count a reader can narrow */
  what: "small" | "narrowed";
  kind: Kind;
  lo?: number;
  hi?: number;
  value?: number;
  /** the files that publish or hide the cell */
  files: string[];
  /** the relations that narrow it (for "narrowed") */
  why: string[];
}

export interface AuditReport {
  editions: number;
  years: number[];
  /** per level of the editions: how many there are and how many hidden cells they show */
  levels: Record<string, { editions: number; hidden: number; findings: number }>;
  cells: number;
  hidden: number;
  findings: AuditFinding[];
  /** the steps run, with what each found */
  steps: { step: "small" | "propagation" | "lp"; findings: number; ms: number; solves?: number }[];
  conflicts: string[];
}

/** The audit (see the top of this file). `geoOf` gives each year's round geography; `now` times the steps. */
export async function auditEditions(
  editions: AuditEdition[],
  geoOf: (year: number) => RoundGeography,
  cats: Categories,
  minCount: number,
  now: () => number = () => performance.now(),
): Promise<AuditReport> {
  const { byYear, rounds, marking, filesOf, levelOf, conflicts, levels } = readEditions(editions, geoOf);
  const sys = buildSystem(rounds, cats, (k) => marking.get(k), minCount);
  const hiddenCount = [...sys.vars.values()].filter(
    (v) => isHiddenKind(v.kind) && parseKey(v.key).dir !== "balance",
  ).length;
  const steps: AuditReport["steps"] = [];
  const findings: AuditFinding[] = [];
  const files = (k: string) => [...(filesOf.get(k) ?? [])].sort();
  // 1. small counts published outright
  let t = now();
  for (const key of smallPublished(sys, minCount))
    findings.push({
      key,
      what: "small",
      kind: "published",
      value: sys.vars.get(key)!.value,
      files: files(key),
      why: [],
    });
  steps.push({ step: "small", findings: findings.length, ms: now() - t });
  // 2. bounds propagation
  if (!findings.length) {
    t = now();
    const bad = propagate(sys);
    for (const v of sys.vars.values()) {
      const d = parseKey(v.key).dir;
      if (!isHiddenKind(v.kind) || (d !== "immigration" && d !== "emigration")) continue;
      if (!protectedBounds(v.kind, v.lo, v.hi, minCount))
        findings.push({ key: v.key, what: "narrowed", kind: v.kind, lo: v.lo, hi: v.hi, files: files(v.key), why: [] });
    }
    for (const r of bad) conflicts.push(`the published figures contradict: ${r.why}`);
    steps.push({ step: "propagation", findings: findings.length, ms: now() - t });
  }
  // 3. the LP of every hidden count
  if (!findings.length) {
    t = now();
    const lp = await lpAudit(sys, minCount);
    for (const f of lp.findings)
      findings.push({
        key: f.key,
        what: "narrowed",
        kind: f.kind,
        lo: f.lo,
        hi: f.hi,
        files: files(f.key),
        why: f.why,
      });
    steps.push({ step: "lp", findings: lp.findings.length, ms: now() - t, solves: lp.stats.solves });
  }
  for (const f of findings) for (const l of levelOf.get(f.key) ?? []) if (levels[l]) levels[l].findings++;
  return {
    editions: editions.length,
    years: [...byYear.keys()].sort(),
    levels,
    cells: marking.size,
    hidden: hiddenCount,
    findings: findings.sort((a, b) => (a.key < b.key ? -1 : 1)),
    steps,
    conflicts,
  };
}

/** What the editions publish, read together: each cell's marking (a value, or hidden and how), the files and levels
 * that show it, and the values published differently in two places. */
function readEditions(editions: AuditEdition[], geoOf: (year: number) => RoundGeography) {
  const byYear = new Map<number, AuditEdition[]>();
  for (const e of editions) byYear.set(e.ind.meta.year, [...(byYear.get(e.ind.meta.year) ?? []), e]);
  const rounds: Round[] = [];
  const marking = new Map<string, { kind: Kind; value?: number }>();
  const filesOf = new Map<string, Set<string>>();
  const levelOf = new Map<string, Set<string>>();
  const conflicts: string[] = [];
  const levels: AuditReport["levels"] = {};
  for (const [year, list] of [...byYear].sort((a, b) => a[0] - b[0])) {
    const geo = geoOf(year);
    const cells = list.map((e) => ({ e, c: cellsOf(e.ind, geo) }));
    rounds.push({ geo, editions: cells.map((x) => x.c) });
    for (const { e, c } of cells) {
      const level = e.ind.meta.areaLevel;
      levels[level] ??= { editions: 0, hidden: 0, findings: 0 };
      const l = levels[level];
      l.editions++;
      const primary = new Set(e.ind.disclosure?.primary ?? []);
      const withheld = new Set(e.ind.disclosure?.withheld ?? []);
      for (const cell of c.cells) {
        (filesOf.get(cell.key) ?? filesOf.set(cell.key, new Set()).get(cell.key)!).add(e.file);
        (levelOf.get(cell.key) ?? levelOf.set(cell.key, new Set()).get(cell.key)!).add(level);
        const seen = marking.get(cell.key);
        if (cell.value !== null) {
          if (seen?.kind === "published" && seen.value !== cell.value)
            conflicts.push(`${cell.key}: ${seen.value} and ${cell.value} (${[...filesOf.get(cell.key)!].join(", ")})`);
          marking.set(cell.key, { kind: "published", value: cell.value });
          continue;
        }
        l.hidden++;
        if (seen?.kind === "published") continue; // published elsewhere: the reader has it
        const kind: Kind = cell.paths.some((p) => primary.has(p))
          ? "primary"
          : cell.paths.every((p) => withheld.has(p))
            ? "withheld"
            : "secondary";
        // what a reader knows best wins: "<5" over "x" (at least 1) over withheld (maybe 0)
        const rank = { withheld: 0, secondary: 1, primary: 2 } as Record<string, number>;
        if (!seen || (rank[kind] ?? 0) > (rank[seen.kind] ?? 0)) marking.set(cell.key, { kind });
      }
    }
  }
  return { byYear, rounds, marking, filesOf, levelOf, conflicts, levels };
}

/** The report as a reader reads it: a summary per level, then each finding with the cell and its files. */
export function formatAudit(r: AuditReport, minCount: number, limit = 20): string {
  const lines = [
    `audit of ${r.editions} edition${r.editions === 1 ? "" : "s"} (${r.years.join(", ")}): ${r.cells} cells, ${r.hidden} hidden counts`,
    ...Object.entries(r.levels).map(
      ([level, l]) =>
        `  ${level.padEnd(15)} ${String(l.editions).padStart(4)} editions, ${String(l.hidden).padStart(6)} hidden cells shown, ${l.findings} found`,
    ),
    ...r.steps.map(
      (s) =>
        `  step ${s.step.padEnd(11)} ${s.findings} found in ${Math.round(s.ms)} ms${s.solves !== undefined ? ` (${s.solves} LP solves)` : ""}`,
    ),
  ];
  if (!r.findings.length && !r.conflicts.length) {
    lines.push(`ok: no hidden count can be narrowed, no count of 1–${minCount - 1} is published`);
    return lines.join("\n");
  }
  for (const f of r.findings.slice(0, limit)) {
    const p = parseKey(f.key);
    const what =
      f.what === "small"
        ? `a count of ${f.value} is published (counts of 1–${minCount - 1} are confidential)`
        : `hidden as "${f.kind === "primary" ? `<${minCount}` : "x"}" but a reader finds ${f.lo === f.hi ? `exactly ${f.lo}` : `${f.lo} to ${f.hi}`}`;
    lines.push(`error: ${p.code} ${p.period} ${p.dir} ${p.cat}: ${what}`);
    lines.push(
      `  cell ${f.key}, in ${f.files.slice(0, 4).join(", ")}${f.files.length > 4 ? ` and ${f.files.length - 4} more` : ""}`,
    );
    if (f.why.length) lines.push(`  through: ${f.why.slice(0, 3).join("; ")}`);
  }
  if (r.findings.length > limit) lines.push(`… and ${r.findings.length - limit} more`);
  for (const c of r.conflicts.slice(0, limit)) lines.push(`error: ${c}`);
  lines.push(
    `the round is not safe to publish: ${r.findings.length} cells can be worked out or are published below ${minCount}`,
  );
  return lines.join("\n");
}

/** The cells of the system a reader of the pattern can narrow (propagation, then the LP). */
export async function checkPattern(
  sys: System,
  hidden: Pattern["hidden"],
  shownAs: (k: string) => HiddenKind | undefined,
  minCount: number,
  stats: Pattern["stats"],
): Promise<string[]> {
  const saved = new Map([...sys.vars].map(([k, v]) => [k, { ...v }]));
  for (const [k, v] of sys.vars) {
    const s = hidden.has(k) ? shownAs(k) : undefined;
    const balance = parseKey(k).dir === "balance";
    const p = parseKey(k);
    const counts = [cellKey(p.geo, p.period, "immigration", p.cat), cellKey(p.geo, p.period, "emigration", p.cat)];
    if (balance && counts.some((c) => hidden.has(c)))
      Object.assign(v, { kind: "free", value: undefined, lo: Number.NEGATIVE_INFINITY, hi: Number.POSITIVE_INFINITY });
    else if (s)
      Object.assign(v, {
        kind: s,
        value: undefined,
        lo: s === "withheld" ? 0 : 1,
        hi: s === "primary" ? minCount - 1 : Number.POSITIVE_INFINITY,
      });
  }
  propagate(sys);
  let found = [...sys.vars.values()]
    .filter((v) => isHiddenKind(v.kind) && parseKey(v.key).dir !== "balance")
    .filter((v) => !protectedBounds(v.kind, v.lo, v.hi, minCount))
    .map((v) => v.key);
  if (!found.length) {
    const lp = await lpAudit(sys, minCount);
    stats.lpSolves += lp.stats.solves;
    stats.lpParts = lp.stats.parts;
    stats.largestPart = Math.max(stats.largestPart, lp.stats.largest);
    found = lp.findings.map((f) => f.key);
  }
  for (const [k, v] of saved) Object.assign(sys.vars.get(k)!, v);
  return found.sort();
}
