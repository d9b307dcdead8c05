import { basename } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The longest test files first, the others after them in vitest's own order (its record of the last run's
 * durations, or the files' sizes on a clean clone, which has no record): two workers then end close together instead
 * of one waiting for a long file started late. The list: the longest files of a clean CI run (2026-12-05), those
 * that do not wait for the shared round (test/global-setup.ts) before those that do.
 *
 * Before them, the files that read no round of the shipped data: on a clean machine the rounds' patterns are being
 * computed beside the first files (src/tools/test.sh), and a file that needs one waits for them.
 */
const LONGEST = [
  "static",
  "architecture",
  "disclosure-property",
  "disclosure",
  "disclosure-audit",
  "lp-arrays",
  "batch",
  "hostile-inputs",
  "cli-failures",
  "pdf",
  "email",
  "cli",
  "municipal",
  "serve",
  "editions",
  "geography",
  "disclosure-property",
];
const rank = (f: TestSpecification) => {
  const i = LONGEST.indexOf(basename(f.moduleId).replace(/\.test\.ts$/, ""));
  return i < 0 ? LONGEST.length : i;
};

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b)); // stable: the rest keep vitest's order
  }
}
