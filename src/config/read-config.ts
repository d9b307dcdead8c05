import { isMap, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import type { z } from "zod";
import { decodeUtf8 } from "../core/text.ts";
import type { Effects } from "../effects.ts";
import { problem } from "../errors/messages.ts";
import { didYouMean, InputError, type Problem, UsageError } from "../errors/problem.ts";
import { type Config, configSchema } from "./schema.ts";

const LINES = new WeakMap<Config, (path: string) => number | undefined>();
/** The line of config.yml a dotted key path (`editions.2024.notes.claims.headline.0`) is on, when known. */
export const configLine = (config: Config, path: string): number | undefined => LINES.get(config)?.(path);

/** Parses and validates config.yml; every problem located as `file:line:col` with a hint. Pure: text in. */
export function readConfig(text: string, file: string): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const problems: Problem[] = [];
  const at = (offset: number | undefined) => {
    if (offset === undefined) return {};
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  for (const e of doc.errors) {
    problems.push(problem("yaml-syntax", { file, ...at(e.pos[0]) }, { detail: e.message.split("\n")[0] ?? e.message }));
  }
  if (problems.length) throw new InputError(`${file} is not valid YAML`, problems);

  // an alias to an anchor that does not exist, or a tag that makes no value, fails only here
  let raw: unknown;
  try {
    raw = doc.toJS() ?? {};
  } catch (e) {
    throw new InputError(`${file} is not valid YAML`, [
      problem(
        "yaml-syntax",
        { file, ...at(doc.contents?.range?.[0]) },
        { detail: (e as Error).message.split("\n")[0] },
      ),
    ]);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || Object.getPrototypeOf(raw) !== Object.prototype)
    throw new InputError(`${file} is not a mapping`, [
      problem(
        "yaml-syntax",
        { file, ...at(doc.contents?.range?.[0]) },
        { detail: "the file must be a mapping of keys (`year: 2024`, `title:` …)" },
      ),
    ]);
  const result = configSchema.safeParse(raw);
  if (result.success) {
    LINES.set(result.data, (path) => {
      const node = doc.getIn(path.split("."), true) as YamlNode | undefined;
      return node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
    });
    return result.data;
  }

  for (const issue of result.error.issues) {
    const path = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
    const node = doc.getIn(path, true) as YamlNode | undefined;
    const where = path.length ? path.join(".") : "(top level)";
    if (issue.code === "unrecognized_keys") {
      const parent = path.length ? (doc.getIn(path, true) as YamlNode | undefined) : doc.contents;
      const known = knownKeys(configSchema, path);
      for (const key of issue.keys) {
        let keyNode: YamlNode | undefined;
        if (parent && isMap(parent)) {
          keyNode = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === key)?.key as
            | YamlNode
            | undefined;
        }
        const guess = didYouMean(key, known);
        problems.push(
          problem(
            "unknown-key",
            { file, ...at(keyNode?.range?.[0]) },
            { key, where: path.length ? where : "", guess, known },
          ),
        );
      }
      continue;
    }
    const missing = issue.code === "invalid_type" && node === undefined;
    problems.push(
      problem(
        missing ? "missing-key" : "invalid-value",
        { file, ...at(node?.range?.[0] ?? nearestRange(doc, path)) },
        { where, detail: issue.message, hint: hintFor(issue) },
      ),
    );
  }
  throw new InputError(`${file} has ${problems.length} problem(s)`, problems);
}

function hintFor(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_value" && "values" in issue) return `use one of: ${issue.values.map(String).join(", ")}`;
  if (issue.code === "invalid_type") return `expected ${issue.expected}`;
  return "see src/config/config.schema.json or the README's config section";
}

function nearestRange(doc: ReturnType<typeof parseDocument>, path: (string | number)[]): number | undefined {
  for (let n = path.length - 1; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as YamlNode | undefined;
    if (node?.range) return node.range[0];
  }
  return undefined;
}

/** The keys an object in the schema accepts at `path` (walks optional/default/record/array wrappers). */
function knownKeys(schema: z.ZodType, path: (string | number)[]): string[] {
  // biome-ignore lint/suspicious/noExplicitAny: zod's internal definition tree is untyped here
  let s: any = schema;
  const unwrap = () => {
    while (s?._zod?.def && ["optional", "default", "prefault", "nullable"].includes(s._zod.def.type))
      s = s._zod.def.innerType;
  };
  unwrap();
  for (const p of path) {
    const def = s?._zod?.def;
    if (!def) return [];
    if (def.type === "object") s = def.shape[p];
    else if (def.type === "record") s = def.valueType;
    else if (def.type === "array") s = def.element;
    else return [];
    unwrap();
  }
  const def = s?._zod?.def;
  return def?.type === "object"
    ? Object.keys(def.shape)
    : def?.type === "record" && def.keyType?._zod?.def?.entries
      ? Object.keys(def.keyType._zod.def.entries)
      : [];
}

/**
 * The one way every command reads config.yml: a missing or unreadable file is bad usage (exit 2, with the path and
 * what to do); bad YAML or a value the schema refuses is bad input (exit 1, located).
 */
export async function loadConfig(path: string, fx: Pick<Effects, "readFile">): Promise<Config> {
  let bytes: Buffer;
  try {
    bytes = await fx.readFile(path);
  } catch {
    const p = problem("missing-config", { file: path }, { path });
    throw new UsageError(`${p.message}: ${p.hint}`);
  }
  const problems: Problem[] = [];
  const text = decodeUtf8(path, bytes, problems);
  if (text === undefined) throw new InputError(`${path} is not UTF-8`, problems);
  return readConfig(text, path);
}
