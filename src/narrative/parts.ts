import { NarrativeError } from "./errors.ts";

/**
 * Reading a narrative template: its parts (`=== headline`, `=== body`, …) with their line in the file, the
 * paragraphs and lists of a body, and, for the facts and the error messages, the condition of a block as written
 * and the block left open.
 */

/** Resolves `a.b.0.c` in an object; undefined when any step is missing. */
export function resolvePath(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const k of path.split(".")) {
    if (v === null || v === undefined) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** The parts of a template file, each with the line of the file its text starts on. */
export function splitParts(source: string, file: string): Record<string, { text: string; line: number }> {
  const parts: Record<string, { text: string; line: number }> = {};
  let current: string | undefined;
  source.split("\n").forEach((line, i) => {
    const m = /^=== (\w+)\s*$/.exec(line);
    if (m) {
      current = m[1]!;
      parts[current] = { text: "", line: i + 2 };
    } else if (current) parts[current]!.text += `${line}\n`;
    else if (line.trim() && !line.startsWith("{{!"))
      throw new NarrativeError(`${file}: text before the first \`=== part\` line`, {
        file,
        line: i + 1,
        excerpt: line,
        hint: "start the file with `=== headline`",
      });
  });
  if (!parts.headline)
    throw new NarrativeError(`${file}: no \`=== headline\` part`, { file, hint: "add a line `=== headline`" });
  return parts;
}

/** The innermost block opened and never closed, where the source ends inside one. */
export function unclosedBlock(source: string): { name: string; line: number; column: number } | undefined {
  const stack: { name: string; line: number; column: number }[] = [];
  source.split("\n").forEach((text, i) => {
    for (const m of text.matchAll(/\{\{~?\s*([#/])\s*([\w-]+)/g)) {
      if (m[1] === "#") stack.push({ name: m[2]!, line: i + 1, column: m.index });
      else if (stack.at(-1)?.name === m[2]) stack.pop();
    }
  });
  return stack.at(-1);
}

/** The condition of the {{#if …}} / {{else if …}} / {{#unless …}} that starts at `loc` in `source`, as written. */
export function conditionAt(source: string, loc: { start: { line: number; column: number } } | undefined): string {
  if (!loc) return "";
  const lines = source.split("\n");
  const rest = [lines[loc.start.line - 1]?.slice(loc.start.column) ?? "", ...lines.slice(loc.start.line)].join("\n");
  const m = /^\{\{~?\s*(?:#|else\s+)?(?:if|unless)\s+([\s\S]*?)\s*~?\}\}/.exec(rest);
  return m ? m[1]!.replace(/\s+/g, " ") : "";
}

/** The values of the paths a condition names (e.g. `view.municipalShare` → "almost-all"). */
export function basisOf(expr: string, context: object): Record<string, unknown> {
  const basis: Record<string, unknown> = {};
  for (const m of expr.matchAll(/(?<![\w.@"'-])([A-Za-z_][\w-]*(?:\.[\w-]+)+)/g)) {
    const v = resolvePath(context, m[1]!);
    if (v !== undefined) basis[m[1]!] = Array.isArray(v) ? v.length : v;
  }
  return basis;
}

/** Blank-line separated paragraphs → <p>; a block of "- " lines → <ul>. The text is already HTML-escaped. */
export function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((b) => b.trim())
    .filter(Boolean)
    .map((b) => {
      const lines = b
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean);
      if (lines.every((l) => l.startsWith("- ")))
        return `<ul>${lines.map((l) => `<li>${l.slice(2)}</li>`).join("")}</ul>`;
      return `<p>${lines.join(" ")}</p>`;
    })
    .join("\n");
}
