import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configJsonSchema } from "../src/config/json-schema.ts";
import { readConfig } from "../src/config/read-config.ts";
import { InputError, type Problem } from "../src/errors/problem.ts";
import { configPath, root } from "./helpers.ts";

const shipped = readFileSync(configPath, "utf8");

function problemsOf(text: string): Problem[] {
  try {
    readConfig(text, "config.yml");
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  throw new Error("expected the config to be rejected");
}

describe("config.yml", () => {
  it("the shipped config is valid and fills defaults", () => {
    const c = readConfig(shipped, "config.yml");
    expect(c.year).toBe(2024);
    expect(c.languages).toEqual(["nl", "en"]);
    expect(c.data.longSeries).toBe("long-series.csv");
    expect(c.municipalPeriod.years).toBe(3);
    expect(c.editions["2024"]?.published).toBe("2025-07-15");
  });

  it("a misspelled key is located and gets 'did you mean'", () => {
    const text = shipped.replace("languages: [nl, en]", "langauges: [nl, en]");
    const line = text.split("\n").findIndex((l) => l.startsWith("langauges")) + 1;
    const [p] = problemsOf(text);
    expect(p).toMatchObject({ file: "config.yml", line, column: 1, rule: "unknown-key" });
    expect(p?.message).toContain("`langauges`");
    expect(p?.hint).toBe("did you mean `languages`?");
  });

  it("a nested misspelled key is located in its block", () => {
    const text = shipped.replace("  dir: data\n", "  dri: data\n");
    const [p] = problemsOf(text);
    expect(p?.rule).toBe("unknown-key");
    expect(p?.column).toBe(3);
    expect(p?.hint).toBe("did you mean `dir`?");
  });

  it.each([
    ["a wrong type", "year: 2024", "year: twenty", "invalid-value", "expected number"],
    ["a bad language", "languages: [nl, en]", "languages: [nl, fr]", "invalid-value", "use one of: nl, en"],
    ["a bad date", "published: 2025-07-15", "published: 15/07/2025", "invalid-value", "YYYY-MM-DD"],
  ])("%s is reported at its value", (_name, from, to, rule, hintOrMessage) => {
    const text = shipped.replace(from, to);
    const line = text.split("\n").findIndex((l) => l.includes(to)) + 1;
    const [p] = problemsOf(text);
    expect(p).toMatchObject({ file: "config.yml", line, rule });
    expect(`${p?.message} ${p?.hint}`).toContain(hintOrMessage);
  });

  it("a missing required key is named", () => {
    const text = shipped.replace(/^title:\n( {2}.*\n)+/m, "");
    expect(problemsOf(text).map((p) => [p.rule, p.message])).toContainEqual(["missing-key", "`title` is required"]);
  });

  it("YAML syntax errors are located", () => {
    const [p] = problemsOf("year: 2024\ntitle: [unclosed\n");
    expect(p?.rule).toBe("yaml-syntax");
    expect(p?.line).toBeGreaterThanOrEqual(2);
  });

  it("src/config/config.schema.json is the schema of the code (run `npx bulletin schema > src/config/config.schema.json`)", () => {
    expect(readFileSync(join(root, "src/config/config.schema.json"), "utf8")).toBe(configJsonSchema());
    expect(JSON.parse(configJsonSchema()).properties.languages.type).toBe("array");
  });
});
