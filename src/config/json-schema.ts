import { z } from "zod";
import { configSchema } from "./schema.ts";

/** JSON Schema of config.yml for editors (yaml-language-server); `bulletin schema` writes it. */
export function configJsonSchema(): string {
  const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" });
  return `${JSON.stringify({ ...schema, title: "migration-bulletin config.yml" }, null, 2)}\n`;
}
