import { formatProblem, type Problem } from "../errors/problem.ts";

/** The problems a command found, as the terminal shows them: each located, then how many of each kind. */
export function printProblems(problems: Problem[]) {
  for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
  const e = problems.filter((p) => p.severity === "error").length;
  const w = problems.length - e;
  if (problems.length) process.stderr.write(`${e} error(s), ${w} warning(s)\n`);
}

/** Waits for Ctrl+C (or a scheduler's SIGTERM): a server command runs until then. */
export const untilStopped = () =>
  new Promise<void>((r) => {
    process.once("SIGINT", r);
    process.once("SIGTERM", r);
  });
