/**
 * Starts Chromium without loading puppeteer. Loading puppeteer-core costs ~250 ms of CPU on this machine; spawning the
 * browser first lets its start-up (~1.3 s alone, the longest single step of a build) run while Node loads its
 * modules and the data. puppeteer then connects to the DevTools endpoint Chromium prints.
 *
 * The arguments are puppeteer's own defaults for a headless launch (a test keeps them equal to
 * `puppeteer.defaultArgs()`), plus ours.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RenderError } from "../errors/problem.ts";

/** puppeteer-core's `defaultArgs({ headless: true })` without the profile, the port and the start page. */
export const PUPPETEER_DEFAULT_ARGS = [
  "--allow-pre-commit-input",
  "--disable-background-networking",
  "--disable-background-timer-throttling",
  "--disable-backgrounding-occluded-windows",
  "--disable-breakpad",
  "--disable-client-side-phishing-detection",
  "--disable-component-extensions-with-background-pages",
  "--disable-crash-reporter",
  "--disable-default-apps",
  "--disable-dev-shm-usage",
  "--disable-hang-monitor",
  "--disable-infobars",
  "--disable-ipc-flooding-protection",
  "--disable-popup-blocking",
  "--disable-prompt-on-repost",
  "--disable-renderer-backgrounding",
  "--disable-search-engine-choice-screen",
  "--disable-sync",
  "--enable-automation",
  "--export-tagged-pdf",
  "--force-color-profile=srgb",
  "--generate-pdf-document-outline",
  "--metrics-recording-only",
  "--no-first-run",
  "--password-store=basic",
  "--use-mock-keychain",
  "--disable-features=Translate,AcceptCHFrame,MediaRouter,OptimizationHints,WebUIReloadButton,ProcessPerSiteUpToMainFrameThreshold,IsolateSandboxedIframes",
  "--enable-features=PdfOopif",
  "--headless=new",
  "--hide-scrollbars",
  "--mute-audio",
  "--disable-extensions",
];

/** Ours: as root the sandbox cannot start (the print page runs no script and loads nothing from outside). */
export function chromiumArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  return [
    ...PUPPETEER_DEFAULT_ARGS,
    "--no-sandbox",
    "--disable-gpu",
    "--font-render-hinting=none",
    // One process (renderer inside the browser) saves ~1.2 s of a 2-core build (A/B, 4 cold builds each: median
    // 5.3 s vs 6.6 s): Chromium's process start-up is most of its cost here. CHROMIUM_MULTIPROCESS=1 turns it off.
    ...(env.CHROMIUM_MULTIPROCESS === "1" ? [] : ["--single-process", "--no-zygote"]),
  ];
}

const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

const TASKSET = "/usr/bin/taskset"; // util-linux, essential in Debian

/** The CPUs this process may run on (Linux: /proc/self/status), or undefined where that is not known. */
export function allowedCpus(status = "/proc/self/status"): number[] | undefined {
  try {
    const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(status, "utf8"))?.[1];
    if (!list) return undefined;
    const cpus: number[] = [];
    for (const part of list.split(",")) {
      const [a, b] = part.split("-").map(Number) as [number, number | undefined];
      for (let c = a; c <= (b ?? a); c++) cpus.push(c);
    }
    return cpus;
  } catch {
    return undefined;
  }
}

/**
 * Which CPUs Chromium may use (a taskset list), or undefined for all. On a small machine Chromium gets one CPU and
 * Node keeps the others: Chromium in one process, spread over two CPUs, spent ~1 s of its 2.8 s of start-up CPU on
 * the crossing itself (a one-line page: 1.8 s wall and 2.9 s CPU on two CPUs, 1.95 s and 1.9 s on one), and it
 * slowed Node down on the other CPU (A/B, 7 cold builds each: 5.28 s vs 5.58 s, 1.3 s less Chromium CPU).
 * CHROMIUM_CPUS sets the list (e.g. "3" or "2-3"), CHROMIUM_CPUS=all turns this off; machines with more than four
 * CPUs are left alone (not measured).
 */
export function chromiumCpus(
  env: NodeJS.ProcessEnv = process.env,
  cpus = allowedCpus(),
  hasTaskset = existsSync(TASKSET),
): string | undefined {
  if (!hasTaskset) return undefined;
  if (env.CHROMIUM_CPUS) return env.CHROMIUM_CPUS === "all" ? undefined : env.CHROMIUM_CPUS;
  if (!cpus || cpus.length < 2 || cpus.length > 4) return undefined;
  return String(cpus[cpus.length - 1]);
}

/**
 * Lets a Chromium started on one CPU (chromiumCpus) use every CPU of this process from now on, each of its threads
 * (taskset -a). A build does this once it has handed the last edition's HTML to the browser: then the PDFs are what
 * it waits for, and Node's part is the PNG copies. Printing the 2024 editions on two CPUs instead of one took the
 * cold build from 1.00 to 0.95–0.96 of its wall time (A/B, 8 pairs, twice); unpinned earlier (when the browser
 * answers, or at the first edition's HTML) it gained ~1 %: Chromium then takes the CPU Node renders on. A list set
 * with CHROMIUM_CPUS is kept.
 */
export function unpinChromium(pid: number | undefined, env: NodeJS.ProcessEnv = process.env, cpus = allowedCpus()) {
  if (pid === undefined || env.CHROMIUM_CPUS || !cpus || !chromiumCpus(env, cpus)) return false;
  const child = spawn(TASKSET, ["-a", "-p", "--cpu-list", cpus.join(","), String(pid)], { stdio: "ignore" });
  child.on("error", () => {}); // no taskset after all: Chromium stays on its CPU
  child.unref();
  return true;
}

/** The command that runs Chromium with our arguments plus `extra`, on the CPUs chromiumCpus() gives it. */
export function chromiumCommand(executablePath: string, extra: string[]): [string, string[]] {
  const args = [...chromiumArgs(), ...extra];
  const cpus = chromiumCpus();
  return cpus ? [TASKSET, ["--cpu-list", cpus, executablePath, ...args]] : [executablePath, args];
}

/** CPU time (ms) of the child processes this process has reaped, e.g. its Chromium (Linux; else undefined). */
export function reapedChildrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // f[0] is field 3 (state)
    return (Number(f[13]) + Number(f[14])) * 10; // cutime + cstime, in ticks of 10 ms
  } catch {
    return undefined;
  }
}

export interface Chromium {
  /** the browser's DevTools WebSocket address, once it listens */
  endpoint: Promise<string>;
  /** ends the process (SIGKILL after `graceMs` if it does not exit) and removes its profile folder */
  stop(graceMs?: number): Promise<void>;
  process: ChildProcess;
}

/** Spawns Chromium with a fresh profile; `endpoint` rejects with a RenderError if it exits or is silent too long. */
export function startChromium(executablePath: string, timeoutMs: number): Chromium {
  const profile = mkdtempSync(join(tmpdir(), "bulletin-chromium-"));
  const [command, args] = chromiumCommand(executablePath, [
    `--user-data-dir=${profile}`,
    "--remote-debugging-port=0",
    "about:blank",
  ]);
  // A Node process that ends, or is stopped by a signal (a scheduler's SIGTERM), must not leave its browser behind.
  // The handlers are in place before the browser is spawned: a signal that came after the spawn but before they were
  // (a loaded machine can run the sender between the two) ended Node with its default action and left the browser
  // running, a child of init. Node runs a signal's handler between two turns of its loop, so `child` is set by then.
  let child: ReturnType<typeof spawn> | undefined;
  let exited = false;
  const onExit = () => {
    if (child && !exited) child.kill("SIGKILL");
    rmSync(profile, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    onExit();
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    process.kill(process.pid, signal); // the signal's usual effect, now that this handler is gone
  };
  process.once("exit", onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
  child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
  const exit = new Promise<void>((resolve) => {
    child!.once("exit", () => {
      exited = true;
      resolve();
    });
    child!.once("error", () => {
      exited = true;
      resolve();
    });
  });
  const endpoint = new Promise<string>((resolve, reject) => {
    let tail = "";
    const timer = setTimeout(() => {
      fail(`did not start within ${timeoutMs} ms`);
    }, timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.stderr?.removeAllListeners("data");
      child.kill("SIGKILL");
      const last = tail.trim().split("\n").slice(-3).join(" | ");
      reject(new RenderError(`Chromium at ${executablePath} ${why}${last ? `: ${last.slice(0, 400)}` : ""}`));
    };
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      tail = (tail + chunk).slice(-4000);
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(tail);
      if (m) {
        clearTimeout(timer);
        // keep draining stderr so Chromium never blocks on a full pipe
        child.stderr?.removeAllListeners("data");
        child.stderr?.resume();
        resolve(m[1] as string);
      }
    });
    child.once("error", (e) => fail(`could not be started (${e.message})`));
    child.once("exit", (code, signal) => fail(`exited before it was ready (${signal ?? `code ${code}`})`));
  });
  endpoint.catch(() => {}); // the caller awaits it; an early failure must not be an unhandled rejection meanwhile
  return {
    endpoint,
    process: child,
    async stop(graceMs = 5000) {
      if (!exited) {
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        child.kill("SIGTERM");
        await exit;
        clearTimeout(timer);
      }
      process.removeListener("exit", onExit);
      for (const s of SIGNALS) process.removeListener(s, onSignal);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
