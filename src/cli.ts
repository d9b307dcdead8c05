/*
 * Why one file: commander's command table, each command's options and action side by side, in the order `--help`
 * lists them; the work itself is in the pipeline files each action loads.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import type { Format } from "./chain/types.ts";
import { configJsonSchema } from "./config/json-schema.ts";
import type { Lang } from "./core/domain.ts";
import type { Effects } from "./effects.ts";
import { nodeEffects } from "./effects-node.ts";
import { machineFault } from "./errors/machine.ts";
import { BulletinError, ExitCode, formatProblem, type Problem, UsageError } from "./errors/problem.ts";

// The pipeline (vega, puppeteer, …) is imported by the commands that need it, so a build can start Chromium first
// and let it boot while the rest loads.
const pipeline = () => import("./commands/build.ts");
const sendPipeline = () => import("./commands/send.ts");
const geoPipeline = () => import("./commands/geo.ts");
const servePipeline = () => import("./commands/serve.ts");
const importPipeline = () => import("./commands/import.ts");

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

function printProblems(problems: Problem[]) {
  for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
  const e = problems.filter((p) => p.severity === "error").length;
  const w = problems.length - e;
  if (problems.length) process.stderr.write(`${e} error(s), ${w} warning(s)\n`);
}

/**
 * After a build that wrote area or municipal editions: the audit of the year's folder (everything published there,
 * read together, as a reader reads the files). The round's pattern was checked before anything was drawn; this
 * reads what was written. A failure exits 1 (and `send` refuses the round).
 */
async function auditAfterBuild(yearDirs: string[], configPath: string, fx: Effects) {
  const { auditDirs } = await import("./commands/audit.ts");
  for (const dir of [...new Set(yearDirs)]) {
    const audited = await auditDirs({ dirs: [dir], configPath }, fx).catch((e: Error) => e);
    if (audited instanceof Error) {
      // the editions are published; an older file the audit cannot read is reported, not a failed build
      process.stderr.write(`warning: audit ${dir}: not run: ${audited.message}\n`);
      continue;
    }
    const { report, minCount } = audited;
    if (!report.findings.length && !report.conflicts.length) {
      process.stderr.write(
        `audit ${dir}: ok, ${report.editions} editions read together, ${report.hidden} hidden counts protected\n`,
      );
      continue;
    }
    const first = report.findings[0];
    process.stderr.write(
      `error: audit ${dir}: not safe to publish: ${report.findings.length} counts of 1–${minCount - 1} published or worked out across ${report.editions === 1 ? "its edition" : `its ${report.editions} editions`}${first ? ` (first: ${first.key.split("|").join(" ")})` : ""}; see \`npx bulletin audit ${dir}\` (editions built by an older program in the same folder: build them again)\n`,
    );
    process.exitCode = ExitCode.badInput;
  }
}

/**
 * One build at a time writes into an output folder (one batch per shard: the shards of a Job write side by side); the
 * lock is held until the process ends.
 */
async function lockOutput(
  o: { config: string; out?: string; shard?: string; shards?: number; wait?: boolean },
  batch: boolean,
  fx: Effects,
) {
  const out = o.out ?? (await (await import("./config/read-config.ts")).loadConfig(o.config, fx)).output.dir;
  // the batch's module only for a batch: a single build does not load it
  const shard = batch
    ? (await import("./commands/batch/batch.ts")).shardFrom(o.shard, process.env, o.shards)
    : undefined;
  const name = shard ? `.build-shard-${shard.index}of${shard.count}.lock` : ".build.lock";
  await fx.lock({
    path: join(out, name),
    wait: Boolean(o.wait),
    holder: shard ? `another build of shard ${shard.index}/${shard.count} into ${out}` : `another build into ${out}`,
    hint: "let it finish, or add --wait to wait for it",
    onWait: (m) => fx.log(m),
  });
}

/** `build --area municipalities`: the batch, with a progress bar on a terminal and plain lines elsewhere. */
async function municipalBatch(
  o: {
    config: string;
    all: string;
    year?: number;
    out?: string;
    lang?: Lang[];
    format: Format[];
    resume?: boolean;
    shard?: string;
    shards?: number;
  },
  fx: Effects,
) {
  const { buildBatch, shardFrom } = await import("./commands/batch/batch.ts");
  const { threadedAreaBuilder } = await import("./commands/batch/thread.ts");
  const shard = shardFrom(o.shard, process.env, o.shards);
  const tty = process.stderr.isTTY === true;
  const { default: progress } = await import("cli-progress");
  const bar = tty
    ? new progress.SingleBar(
        {
          format: "{bar} {value}/{total} editions · {rate}/s · {eta_formatted} left · {failed} failed",
          stream: process.stderr,
        },
        progress.Presets.shades_classic,
      )
    : undefined;
  const t0 = performance.now();
  let started = false;
  const r = await buildBatch(
    {
      ...{
        configPath: o.config,
        year: o.year,
        areas: [o.all],
        outDir: o.out,
        langs: o.lang,
        formats: o.format,
      },
      ...(o.resume ? { resume: true } : {}),
      ...(shard ? { shard } : {}),
    },
    fx,
    (done, total, failed) => {
      const rate = (done / Math.max(1, (performance.now() - t0) / 1000)).toFixed(1);
      if (bar) {
        if (!started) bar.start(total, done, { failed, rate });
        else bar.update(done, { failed, rate });
        started = true;
      } else process.stderr.write(`${done}/${total} editions (${rate}/s, ${failed} failed)\n`);
    },
    { builder: threadedAreaBuilder },
  );
  bar?.stop();
  for (const f of r.failed) process.stderr.write(`failed: ${f.area} ${f.name}: ${f.error}\n`);
  process.stderr.write(
    `${r.built} areas built, ${r.skipped} unchanged (--resume), ${r.failed.length} failed${shard ? ` (shard ${shard.index}/${shard.count})` : ""}; manifest ${r.manifestPath}\n`,
  );
  if (r.failed.length) process.exitCode = ExitCode.badInput;
  else if (r.built) await auditAfterBuild([dirname(dirname(r.manifestPath))], o.config, fx);
}

export function makeProgram(): Command {
  const program = new Command("bulletin")
    .description("Builds the 'International migration' bulletin (nl/en) from the tables in data/.")
    .version(pkg.version)
    .option("--debug", "print the stack trace of an internal error")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  const common = (c: Command) =>
    c
      .option("-c, --config <path>", "config file", "config.yml")
      .option("-y, --year <year>", "observation year (default: `year` in config.yml)", parseYear)
      .option("-a, --area <nis,…>", "areas of the editions (default: geography.region in config.yml)", parseAreas);

  common(
    program
      .command("check")
      .description("validate config.yml, every table the edition needs, the templates and the notes; exit 1 on errors"),
  ).action((o: { config: string; year?: number; area?: string[] }) =>
    withEffects(async (fx) => {
      const { check } = await pipeline();
      const r = await check({ configPath: o.config, year: o.year, areas: o.area }, fx);
      printProblems(r.problems);
      const errors = r.problems.filter((p) => p.severity === "error").length;
      if (errors) process.exitCode = ExitCode.badInput;
      else
        process.stderr.write(
          `ok: the data, templates and notes of the ${r.years.join(", ")} edition pass every check\n`,
        );
    }),
  );
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
    .action(
      (o: {
        config: string;
        year?: number;
        area?: string[];
        out?: string;
        lang?: Lang[];
        format: Format[];
        timings?: string;
        resume?: boolean;
        shard?: string;
        shards?: number;
        wait?: boolean;
      }) =>
        withEffects(async (fx) => {
          // Chromium starts before the pipeline (vega, …) is even loaded, so it boots meanwhile
          if (o.format.includes("pdf")) fx.printer().catch(() => {}); // reported by build, which awaits it
          const all = o.area?.find((a) => a.startsWith("municipalities"));
          await lockOutput(o, Boolean(all), fx);
          if (all) return municipalBatch({ ...o, all }, fx);
          const { build } = await pipeline();
          const epoch = process.env.SOURCE_DATE_EPOCH;
          if (epoch !== undefined && epoch !== "" && !/^\d+$/.test(epoch))
            throw new UsageError(`SOURCE_DATE_EPOCH=${epoch} is not a number of seconds since 1970 (e.g. 1752537600)`);
          const r = await build(
            {
              ...{ configPath: o.config, year: o.year, areas: o.area, outDir: o.out, langs: o.lang, formats: o.format },
              ...(epoch ? { sourceDateEpoch: Number(epoch) } : {}),
            },
            fx,
          );
          if (o.timings) {
            const sinceStart = performance.now();
            await fx.writeFile(
              o.timings,
              JSON.stringify({
                stages: r.timings,
                marks: r.marks,
                processMs: sinceStart,
                maxRssMB: process.resourceUsage().maxRSS / 1024,
                // CPU time of this Node process (user + system); Chromium's is on top
                nodeCpuMs: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000,
                // and Chromium's (the children this process started and reaped), where Linux tells it
                childCpuMs: await fx
                  .close()
                  .then(async () => (await import("./pdf/chromium.ts")).reapedChildrenCpuMs()),
              }),
            );
          }
          printProblems(r.problems);
          for (const a of r.areas) {
            const langs = a.editions.map((e) => e.key.lang).join(", ");
            process.stderr.write(
              a.unchanged
                ? `unchanged ${a.target} (${langs}): the same bytes as published, left as they were\n`
                : `built ${a.target} (${langs})\n`,
            );
          }
          process.stderr.write(`in ${Math.round(r.timings.total ?? 0)} ms\n`);
          // editions of areas below the region: the year's folder is audited as a reader reads it
          const below = r.areas.map((a) => /^(.*[\\/]\d{4})[\\/](areas|municipalities)[\\/]/.exec(a.target)?.[1]);
          const dirs = below.filter((d): d is string => d !== undefined);
          if (dirs.length && !r.problems.some((p) => p.severity === "error")) await auditAfterBuild(dirs, o.config, fx);
        }),
    );
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
    .action(
      (o: {
        config: string;
        year?: number;
        area?: string[];
        out?: string;
        lang?: Lang[];
        dryRun?: boolean;
        to?: string;
        wait?: boolean;
      }) =>
        withEffects(async (fx) => {
          const { send } = await sendPipeline();
          const r = await send(
            {
              configPath: o.config,
              year: o.year,
              areas: o.area,
              outDir: o.out,
              langs: o.lang,
              dryRun: o.dryRun,
              to: o.to,
              wait: o.wait,
            },
            fx,
          );
          if (!o.dryRun) {
            process.stderr.write(
              `sent ${r.sent.length}, skipped ${r.skipped.length} (already sent), failed ${r.failed.length}${r.ledger ? `; ledger: ${r.ledger}` : ""}\n`,
            );
            for (const f of r.failed) process.stderr.write(`  failed: ${f.address}: ${f.error}\n`);
            if (r.failed.length) process.exitCode = ExitCode.failure;
          }
        }),
    );
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
    .action(
      (o: {
        config: string;
        year?: number;
        area?: string;
        port: number;
        host: string;
        open?: boolean;
        memory: number;
      }) =>
        withEffects(async (fx) => {
          if (o.area !== undefined && !/^\d{5}$/.test(o.area))
            throw new UsageError(`\`${o.area}\` is not a NIS code: --area takes 5 digits, e.g. 10000`);
          const { serve } = await servePipeline();
          const preview = await serve({ configPath: o.config, ...o, memoryMb: o.memory }, fx);
          process.stderr.write(`preview at ${preview.url} (Ctrl+C to stop)\n`);
          if (o.open) await (await import("open")).default(preview.url).catch(() => {});
          await new Promise<void>((r) => {
            process.once("SIGINT", r);
            process.once("SIGTERM", r);
          });
          await preview.close();
        }),
    );
  program
    .command("audit <dirs...>")
    .description(
      "audit what the folders publish, read together (every edition, every year given): exit 1 naming each count a reader can work out",
    )
    .option("-c, --config <path>", "config file", "config.yml")
    .action((dirs: string[], o: { config: string }) =>
      withEffects(async (fx) => {
        const { auditDirs } = await import("./commands/audit.ts");
        const { formatAudit } = await import("./disclosure/audit.ts");
        const { report, minCount } = await auditDirs({ dirs, configPath: o.config }, fx);
        process.stderr.write(`${formatAudit(report, minCount)}\n`);
        if (report.findings.length || report.conflicts.length) process.exitCode = ExitCode.badInput;
      }),
    );
  const unsub = program.command("unsubscribe").description("the unsubscribe list `send` honours (mail.unsubscribe)");
  unsub
    .command("add <address>")
    .description("put an address on the unsubscribe list (a request by mail or by phone)")
    .option("-c, --config <path>", "config file", "config.yml")
    .action((address: string, o: { config: string }) =>
      withEffects(async (fx) => {
        const { unsubscribeAdd } = await import("./commands/unsubscribe.ts");
        const { added, list } = await unsubscribeAdd({ configPath: o.config, address }, fx);
        process.stderr.write(`${address}: ${added ? "added to" : "already on"} the unsubscribe list ${list}\n`);
      }),
    );
  unsub
    .command("serve")
    .description(
      "answer the one-click unsubscribe links (RFC 8058) of the messages: POST records, GET shows a button; behind the office's reverse proxy",
    )
    .option("-c, --config <path>", "config file", "config.yml")
    .option("--port <n>", "port", (v) => Number(v), 4180)
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .action((o: { config: string; port: number; host: string }) =>
      withEffects(async (fx) => {
        const { unsubscribeServe } = await import("./commands/unsubscribe.ts");
        const s = await unsubscribeServe({ configPath: o.config, port: o.port, host: o.host }, fx);
        process.stderr.write(`unsubscribe endpoint at ${s.url} (Ctrl+C to stop)\n`);
        await new Promise<void>((r) => {
          process.once("SIGINT", r);
          process.once("SIGTERM", r);
        });
        await s.close();
      }),
    );
  program
    .command("manifest")
    .description("the manifests of sharded municipal runs")
    .command("merge <dirs...>")
    .description("join the shards' manifest parts (manifest.shard-I-of-N.json) into manifest.json and the index pages")
    .option("-c, --config <path>", "config file", "config.yml")
    .action((dirs: string[], o: { config: string }) =>
      withEffects(async (fx) => {
        const { mergeManifests } = await import("./commands/batch/batch.ts");
        const config = await (await import("./config/read-config.ts")).loadConfig(o.config, fx);
        const r = await mergeManifests(dirs, fx, config.title);
        process.stderr.write(`wrote ${r.path}: ${r.manifest.editions.length} editions\n`);
        if (r.missing.length) process.stderr.write(`missing (${r.missing.length}): ${r.missing.join(", ")}\n`);
        if (r.duplicates.length) process.stderr.write(`in more than one part: ${r.duplicates.join(", ")}\n`);
        if (r.missing.length || r.duplicates.length) process.exitCode = ExitCode.badInput;
      }),
    );
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
        const { importEurostat } = await importPipeline();
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
        const { importStatbelPopulation } = await importPipeline();
        process.stderr.write(`${await importStatbelPopulation({ configPath: o.config, file, ...o }, fx)}\n`);
      }),
    );
  const geo = program.command("geo").description("municipal boundaries for the map");
  geo
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
          const { importGeo } = await geoPipeline();
          const r = await importGeo({ file, configPath: o.config, ...o }, fx);
          process.stderr.write(`${r.report}\n`);
        }),
    );
  program
    .command("schema")
    .description("print the JSON Schema of config.yml (for editor completion)")
    .action(() => {
      process.stdout.write(configJsonSchema());
    });
  return program;
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
