import { distance } from "fastest-levenshtein";

/** A located problem in the user's input: what is wrong, where, and what to do about it. */
export interface Problem {
  file: string;
  line?: number;
  column?: number;
  /** kebab-case id of the rule that found it, e.g. `duplicate-key`. */
  rule: string;
  message: string;
  hint?: string;
  /** the offending line of the file, shown under the message */
  excerpt?: string;
  severity: "error" | "warning";
}

export function formatProblem(p: Problem): string {
  const where = [p.file, p.line, p.line !== undefined ? p.column : undefined].filter((x) => x !== undefined).join(":");
  const head = `${where}: ${p.severity}: ${p.message} [${p.rule}]`;
  const excerpt =
    p.excerpt !== undefined
      ? `\n  ${String(p.line ?? "")} | ${p.excerpt}${p.column ? `\n  ${" ".repeat(String(p.line ?? "").length)} | ${" ".repeat(p.column - 1)}^` : ""}`
      : "";
  return `${head}${excerpt}${p.hint ? `\n  hint: ${p.hint}` : ""}`;
}

/** Exit codes: 0 ok, 1 bad input, 2 bad usage, 3 a renderer or delivery failure. */
export const ExitCode = { ok: 0, badInput: 1, usage: 2, failure: 3 } as const;

export class BulletinError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = "BulletinError";
  }
}

export class InputError extends BulletinError {
  constructor(message: string, problems: Problem[] = []) {
    super(message, ExitCode.badInput, problems);
    this.name = "InputError";
  }
}
export class UsageError extends BulletinError {
  constructor(message: string, problems: Problem[] = []) {
    super(message, ExitCode.usage, problems);
    this.name = "UsageError";
  }
}
export class RenderError extends BulletinError {
  constructor(message: string) {
    super(message, ExitCode.failure);
    this.name = "RenderError";
  }
}

/** "did you mean …" for a near-miss among known names (Levenshtein distance ≤ 2 or a third of the length). */
export function didYouMean(input: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  const lower = input.toLowerCase();
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  const limit = Math.max(2, Math.floor(input.length / 3));
  return best !== undefined && bestD <= limit ? best : undefined;
}
