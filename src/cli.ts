/*
 * The command line: the table of commands and their options, in the order `--help` lists them. Each action loads
 * its command's file (src/commands/) and runs it with the machine's effects; the work, what it prints and its exit
 * code are there. Why one file: the table reads as `--help` shows it, one function per command.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import type { Format } from "./chain/types.ts";
import type { BuildOptions } from "./commands/build.ts";
import { printProblems } from "./commands/report.ts";
import { configJsonSchema } from "./config/json-schema.ts";
import type { Lang } from "./core/domain.ts";
import type { Effects } from "./effects.ts";
import { nodeEffects } from "./effects-node.ts";
import { machineFault } from "./errors/machine.ts";
import { BulletinError, ExitCode } from "./errors/problem.ts";

// Each command's file is imported when the command runs (the pipeline, vega and puppeteer by those that need them),
// so a build can start Chromium first and let it boot while the rest loads.

function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new InvalidArgumentError("a port is a number from 0 to 65535, e.g. 4173");
  return n;
}

function parseMegabytes(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError("megabytes: a whole number, e.g. 256");
  return Number(v);
}

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

function parseYear(v: string): number {
  if (!/^\d{4}$/.test(v)) throw new InvalidArgumentError("a year has four digits, e.g. 2024");
  return Number(v);
}

function parseLangs(v: string): Lang[] {
  const langs = v.split(",").map((s) => s.trim());
  for (const l of langs)
    if (l !== "nl" && l !== "en") throw new InvalidArgumentError(`unknown language \`${l}\`: use nl, en or nl,en`);
  return langs as Lang[];
}

function parseFormats(v: string): Format[] {
  const f = v.split(",").map((s) => s.trim());
  for (const x of f)
    if (x !== "html" && x !== "pdf")
      throw new InvalidArgumentError(`unknown format \`${x}\`: use html, pdf or html,pdf`);
  return f as Format[];
}

function parseAreas(v: string): string[] {
  const areas = v.split(",").map((s) => s.trim());
  for (const a of areas)
    if (!/^\d{5}$/.test(a) && !/^municipalities(:\d{5})?$/.test(a))
      throw new InvalidArgumentError(
        `\`${a}\` is not a NIS code: five digits, e.g. 02000 (or \`municipalities\`: all of them)`,
      );
  return areas;
}

/** Runs a command with its effects, and releases them (the browser, SMTP connections) however it ends. */
async function withEffects<T>(f: (fx: Effects) => Promise<T>, fx: Effects = nodeEffects()): Promise<T> {
  try {
    return await f(fx);
  } finally {
    await fx.close();
  }
}

type Common = (c: Command) => Command;

export function makeProgram(): Command {
  const program = new Command("bulletin")
    .description("Builds the 'International migration' bulletin (nl/en) from the tables in data/.")
    .version(pkg.version)
    .option("--debug", "print the stack trace of an internal error")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  const common: Common = (c) =>
    c
      .option("-c, --config <path>", "config file", "config.yml")
      .option("-y, --year <year>", "observation year (default: `year` in config.yml)", parseYear)
      .option("-a, --area <nis,…>", "areas of the editions (default: geography.region in config.yml)", parseAreas);
  for (const add of [checkCommand, buildCommand, sendCommand, serveCommand, auditCommand, unsubscribeCommands])
    add(program, common);
  for (const add of [manifestCommand, dataCommands, geoCommand, schemaCommand]) add(program);
  return program;
}

function checkCommand(program: Command, common: Common) {
  common(
    program
      .command("check")
      .description("validate config.yml, every table the edition needs, the templates and the notes; exit 1 on errors"),
  ).action((o) => withEffects(async (fx) => (await import("./commands/build.ts")).runCheck(o, fx)));
}

function buildCommand(program: Command, common: Common) {
  common(program.command("build").description("build the editions into OUT/<year>/ (atomically)"))
    .option("-o, --out <dir>", "output folder (default: output.dir in config.yml)")
    .option("-l, --lang <list>", "editions to build, e.g. nl,en (default: languages in config.yml)", parseLangs)
    .option("-f, --format <list>", "what to write: html, pdf or html,pdf", parseFormats, ["html", "pdf"])
    .option("--timings <file>", "write the stage timings (ms) and peak memory as JSON (used by npm run bench)")
    .option("--resume", "--area municipalities: skip editions whose inputs are unchanged since the manifest")
    .option(
      "--shard <i/n>",
      "--area municipalities: build the i-th of n shares (else from JOB_COMPLETION_INDEX, CI_NODE_INDEX)",
    )
    .option("--shards <n>", "the number of shares of a Kubernetes Indexed Job (its completions)", Number)
    .option("--wait", "when another build writes into the same output folder (or shard): wait for it")
    .action((o: BuildOptions) =>
      withEffects(async (fx) => {
        // Chromium starts before the pipeline (vega, …) is even loaded, so it boots meanwhile; not for a config file
        // that is not there (the build stops at once: a browser started for nothing cost 1 s of CPU)
        if (o.format.includes("pdf") && (await fx.exists(o.config))) fx.printer().catch(() => {}); // reported by build
        return (await import("./commands/build.ts")).runBuild(o, fx);
      }),
    );
}

function sendCommand(program: Command, common: Common) {
  common(
    program
      .command("send")
      .description("e-mail the built edition to the subscribers, each in their language, exactly once"),
  )
    .option("-o, --out <dir>", "output folder holding the built edition (default: output.dir in config.yml)")
    .option("-l, --lang <list>", "only these languages, e.g. nl", parseLangs)
    .option("--dry-run", "write the messages as .eml files under OUT/<year>/outbox/ instead of sending")
    .option("--to <address>", "test send to one address (one message per language; not recorded in the ledger)")
    .option("--wait", "when another send of the round is running: wait for it, then mail whoever it did not")
    .action((o) => withEffects(async (fx) => (await import("./commands/send.ts")).runSend(o, fx)));
}

function serveCommand(program: Command) {
  program
    .command("serve")
    .description("a live preview for the people who write the bulletin: rebuilt and reloaded when a file changes")
    .option("-c, --config <path>", "config file", "config.yml")
    .option("-y, --year <year>", "observation year (default: `year` in config.yml)", parseYear)
    .option("-a, --area <nis>", "the area to open (default: geography.region; any other by its URL)")
    .option("-p, --port <port>", "port (0: any free one)", parsePort, 4173)
    .option("--host <host>", "interface to listen on (other machines: 0.0.0.0)", "127.0.0.1")
    .option("--open", "open the preview in the default browser")
    .option(
      "--memory <MB>",
      "the editions kept in memory: past this, the least recently viewed are dropped (and drawn again when asked for)",
      parseMegabytes,
      256,
    )
    .action((o) => withEffects(async (fx) => (await import("./commands/serve.ts")).runServe(o, fx)));
}

function auditCommand(program: Command) {
  program
    .command("audit <dirs...>")
    .description(
      "audit what the folders publish, read together (every edition, every year given): exit 1 naming each count a reader can work out",
    )
    .option("-c, --config <path>", "config file", "config.yml")
    .action((dirs: string[], o) =>
      withEffects(async (fx) => (await import("./commands/audit.ts")).runAudit(dirs, o, fx)),
    );
}

function unsubscribeCommands(program: Command) {
  const unsub = program.command("unsubscribe").description("the unsubscribe list `send` honours (mail.unsubscribe)");
  unsub
    .command("add <address>")
    .description("put an address on the unsubscribe list (a request by mail or by phone)")
    .option("-c, --config <path>", "config file", "config.yml")
    .action((address: string, o) =>
      withEffects(async (fx) => (await import("./commands/unsubscribe.ts")).runUnsubscribeAdd(address, o, fx)),
    );
  unsub
    .command("serve")
    .description(
      "answer the one-click unsubscribe links (RFC 8058) of the messages: POST records, GET shows a button; behind the office's reverse proxy",
    )
    .option("-c, --config <path>", "config file", "config.yml")
    .option("--port <n>", "port", (v) => Number(v), 4180)
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .action((o) => withEffects(async (fx) => (await import("./commands/unsubscribe.ts")).runUnsubscribeServe(o, fx)));
}

function manifestCommand(program: Command) {
  program
    .command("manifest")
    .description("the manifests of sharded municipal runs")
    .command("merge <dirs...>")
    .description("join the shards' manifest parts (manifest.shard-I-of-N.json) into manifest.json and the index pages")
    .option("-c, --config <path>", "config file", "config.yml")
    .action((dirs: string[], o) =>
      withEffects(async (fx) => (await import("./commands/batch/merge.ts")).runMerge(dirs, o, fx)),
    );
}

function dataCommands(program: Command) {
  const data = program.command("data").description("the tables in data/");
  const imports = data.command("import").description("import a publisher's file into the data contract");
  imports
    .command("eurostat <files...>")
    .description(
      "Eurostat SDMX-CSV or JSON-stat 2.0 (tps00176 immigrations, demo_gind average population) into eu-comparison.csv",
    )
    .option("-c, --config <path>", "config file", "config.yml")
    .action((files: string[], o: { config: string }) =>
      withEffects(async (fx) => {
        const { importEurostat } = await import("./commands/import.ts");
        process.stderr.write(`${await importEurostat({ configPath: o.config, files }, fx)}\n`);
      }),
    );
  imports
    .command("statbel-population <file>")
    .description("Statbel's TF_SOC_POP_STRUCT_YYYY (zip, pipe-delimited text or xlsx) into population.csv")
    .option("-c, --config <path>", "config file", "config.yml")
    .option("-y, --year <year>", "the year of the population (default: from the file name)", parseYear)
    .action((file: string, o: { config: string; year?: number }) =>
      withEffects(async (fx) => {
        const { importStatbelPopulation } = await import("./commands/import.ts");
        process.stderr.write(`${await importStatbelPopulation({ configPath: o.config, file, ...o }, fx)}\n`);
      }),
    );
}

function geoCommand(program: Command) {
  program
    .command("geo")
    .description("municipal boundaries for the map")
    .command("import <file>")
    .description(
      "import boundaries (shapefile with .dbf/.prj, GeoJSON or TopoJSON) into the boundary file config.yml names",
    )
    .option(
      "-g, --geography <year>",
      "the year whose municipalities the file holds (default: config.yml's year)",
      parseYear,
    )
    .option("-c, --config <path>", "config file", "config.yml")
    .option("--code-field <name>", "field with the NIS code")
    .option("--name-field <name>", "field with the municipality name")
    .option("--keep <share>", "share of points kept by simplification (0–1)", Number.parseFloat, 0.2)
    .option("-o, --out <file>", "where to write the TopoJSON (default: the boundary file of the geography)")
    .action(
      (
        file: string,
        o: { config: string; codeField?: string; nameField?: string; keep: number; out?: string; geography?: number },
      ) =>
        withEffects(async (fx) => {
          const r = await (await import("./commands/geo.ts")).importGeo({ file, configPath: o.config, ...o }, fx);
          process.stderr.write(`${r.report}\n`);
        }),
    );
}

function schemaCommand(program: Command) {
  program
    .command("schema")
    .description("print the JSON Schema of config.yml (for editor completion)")
    .action(() => {
      process.stdout.write(configJsonSchema());
    });
}

export async function main(argv: string[]): Promise<number> {
  const program = makeProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? 0 : ExitCode.usage;
    }
    if (e instanceof BulletinError) {
      printProblems(e.problems);
      process.stderr.write(`error: ${e.message}\n`);
      return e.exitCode;
    }
    // a fault of the machine (a full disk, no permission): the user's to fix, with the path
    const fault = machineFault(e);
    if (fault) {
      process.stderr.write(`error: ${fault}\n`);
      return ExitCode.badInput;
    }
    // a failure of the program itself: one line, and the stack trace only when asked for
    const debug = argv.includes("--debug") || /(^|,)bulletin(,|$)/.test(process.env.DEBUG ?? "");
    const err = e as Error;
    process.stderr.write(
      debug
        ? `internal error: ${err.stack ?? err}\n`
        : `internal error: ${(err.message ?? String(e)).split("\n")[0]}\n  (run with --debug or DEBUG=bulletin for the stack trace, and please report it)\n`,
    );
    return ExitCode.failure;
  }
}

if (process.argv[1] && /(cli\.[jt]s|bin\.js|bulletin)$/.test(process.argv[1])) {
  process.exitCode = await main(process.argv.slice(2));
}
