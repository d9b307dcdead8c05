import { join } from "node:path";
import type { Config } from "../config/schema.ts";
import { EMAIL } from "../config/schema.ts";
import { LANGS, type Lang } from "../core/domain.ts";
import { decodeUtf8 } from "../core/text.ts";
import { parseTable } from "../data/csv.ts";
import type { Effects } from "../effects.ts";
import { problem } from "../errors/messages.ts";
import { InputError, type Problem, UsageError } from "../errors/problem.ts";
import type { Recipient } from "./compose.ts";

/**
 * Who receives the mailing: the subscribers of config.yml plus those of `mail.subscribersFile` (CSV
 * address,lang,name,area; area optional), each address checked, no address twice; or, for a test send, one address in every language.
 * Throws an InputError listing every bad line before anything is sent.
 */
export async function readSubscribers(
  config: Config,
  o: { configPath: string; langs: Lang[]; to?: string },
  fx: Pick<Effects, "readFile">,
): Promise<Recipient[]> {
  if (!config.mail) {
    const p = problem("no-mail", { file: o.configPath });
    throw new UsageError(`${o.configPath} has ${p.message}: ${p.hint}`);
  }
  if (o.to) {
    if (!EMAIL.test(o.to)) throw new UsageError(`--to ${o.to} is not an e-mail address`);
    return o.langs.map((lang) => ({ address: o.to!, lang }));
  }
  const problems: Problem[] = [];
  const recipients: Recipient[] = [...config.mail.subscribers];
  if (config.mail.subscribersFile) {
    const file = join(config.data.dir, config.mail.subscribersFile);
    let bytes: Buffer;
    try {
      bytes = await fx.readFile(file);
    } catch {
      throw new InputError(`cannot read the subscriber list ${file}`, [problem("missing-file/subscribers", { file })]);
    }
    const text = decodeUtf8(file, bytes, problems);
    if (text === undefined) throw new InputError("the subscriber list is not UTF-8; nothing was sent", problems);
    const table = parseTable(
      file,
      text,
      [
        { name: "address", type: "string" },
        { name: "lang", type: "string" },
        { name: "name", type: "string", optional: true },
        { name: "area", type: "nis", optional: true },
      ],
      problems,
    );
    for (const r of table.rows) {
      const where = { file, line: r.line };
      if (!EMAIL.test(r.address as string))
        problems.push(problem("bad-address", { ...where, column: 1 }, { address: r.address }));
      else if (!(LANGS as readonly string[]).includes(r.lang as string))
        problems.push(problem("bad-language", { ...where, column: 2 }, { lang: r.lang, known: LANGS.join(" or ") }));
      else
        recipients.push({
          address: r.address as string,
          lang: r.lang as Lang,
          ...(r.name ? { name: r.name as string } : {}),
          ...(r.area ? { area: r.area as string } : {}),
        });
    }
  }
  const seen = new Set<string>();
  for (const r of recipients) {
    const k = r.address.toLowerCase();
    if (seen.has(k)) problems.push(problem("duplicate-subscriber", { file: o.configPath }, { address: r.address }));
    seen.add(k);
  }
  if (problems.some((p) => p.severity === "error"))
    throw new InputError("the subscriber list has problems; nothing was sent", problems);
  return recipients.filter((r) => o.langs.includes(r.lang));
}
