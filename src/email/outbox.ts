import { join } from "node:path";
import type { Effects } from "../effects.ts";
import type { Composed } from "./compose.ts";
import { emlTransport } from "./smtp.ts";

/** `send --dry-run`: each message as an .eml file under `dir/outbox/<lang>/`, nothing sent. */
export async function writeOutbox(
  messages: Composed[],
  dir: string,
  fx: Pick<Effects, "writeFile">,
): Promise<string[]> {
  const eml = emlTransport();
  const files: string[] = [];
  for (const m of messages) {
    const info = (await eml.sendMail(m.mail)) as unknown as { message: Buffer };
    const file = join(dir, "outbox", m.recipient.lang, `${m.recipient.address}.eml`);
    await fx.writeFile(file, info.message);
    files.push(file);
  }
  return files;
}
