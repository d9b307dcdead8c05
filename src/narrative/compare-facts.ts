import type { Lang } from "../core/domain.ts";
import { problem } from "../errors/messages.ts";
import { InputError } from "../errors/problem.ts";
import type { Fact, Narrative } from "./write-narrative.ts";

const key = (f: Fact) => `${f.section} ${f.indicator} = ${JSON.stringify(f.value)}`;

/**
 * The editions must state the same facts: the same indicators with the same values, and the same wording branches
 * taken on the same conditions, whatever the words. Throws an InputError listing every difference.
 */
export function compareFacts(narratives: Partial<Record<Lang, Narrative>>): void {
  const entries = Object.entries(narratives) as [Lang, Narrative][];
  const [first, ...rest] = entries;
  if (!first) return;
  const a = new Set(first[1].facts.map(key));
  for (const [lang, n] of rest) {
    const b = new Set(n.facts.map(key));
    const onlyA = [...a].filter((k) => !b.has(k));
    const onlyB = [...b].filter((k) => !a.has(k));
    if (onlyA.length || onlyB.length)
      throw new InputError(`the ${first[0]} and ${lang} editions state different facts`, [
        ...onlyA.map((fact) =>
          problem("facts-differ", { file: `templates/narrative/${lang}` }, { lang: first[0], other: lang, fact }),
        ),
        ...onlyB.map((fact) =>
          problem("facts-differ", { file: `templates/narrative/${first[0]}` }, { lang, other: first[0], fact }),
        ),
      ]);
  }
}
