import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { Browser, Page } from "puppeteer-core";
import { FONT_FAMILY } from "../core/fonts.ts";
import type { Printer, PrintOptions } from "../effects.ts";
import { BulletinError, ExitCode, RenderError } from "../errors/problem.ts";
import { startChromium, unpinChromium } from "./chromium.ts";
import { setPdfInfo } from "./pdf-info.ts";

/**
 * Where Chromium is: CHROMIUM_PATH, else PUPPETEER_EXECUTABLE_PATH, else Debian's. Debian's /usr/bin/chromium is a
 * shell script that checks the CPU, sources /etc/chromium.d and adds desktop flags before it runs
 * /usr/lib/chromium/chromium; the binary itself starts ~60 ms sooner and without those flags.
 */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env, exists = existsSync): string {
  const chosen = env.CHROMIUM_PATH || env.PUPPETEER_EXECUTABLE_PATH;
  if (chosen) return chosen;
  return exists("/usr/lib/chromium/chromium") ? "/usr/lib/chromium/chromium" : "/usr/bin/chromium";
}

/** How long a first start-up of Chromium may take before it is started again (it takes ~1.3 s here). */
const START_MS = 15_000;

/** How many prints a browser makes before a fresh one takes over (see `recycleAfter` below). */
const RECYCLE_AFTER = 120;

/** How many prints a page of the pool makes before it is closed and replaced: as many as a browser makes by default
 * (a page never outlives its browser; with CHROMIUM_RECYCLE_AFTER=0, a page still goes after this many). A fresh
 * page is dear: its first print costs ~0.2 s more than the next ones (100 prints on two pages: 46.1 s with a fresh
 * page for each, 25.7 s on the same two). */
const MAX_USES = RECYCLE_AFTER;

async function within<T>(ms: number, step: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RenderError(`PDF: ${step} took longer than ${ms} ms; the browser was closed`)),
      ms,
    );
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What a printed page may load: its inline style and the fonts and images inline in it (data: URLs), nothing else.
 * The page's own Content-Security-Policy, which Chromium enforces itself. Intercepting its requests instead, as
 * before, made each font of the page wait for a round trip to this process, which is busy rendering the next edition
 * while Chromium prints (test/pdf.test.ts: "the page loads nothing from outside").
 */
const SEALED = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:">`;
function sealed(html: string): string {
  const head = /<head(\s[^>]*)?>/i.exec(html) ?? /<html(\s[^>]*)?>/i.exec(html);
  if (head) return `${html.slice(0, head.index + head[0].length)}${SEALED}${html.slice(head.index + head[0].length)}`;
  const doctype = /^\s*<!doctype[^>]*>/i.exec(html);
  const at = doctype ? doctype[0].length : 0;
  return `${html.slice(0, at)}${SEALED}${html.slice(at)}`;
}

/** A CSS string literal. */
const cssString = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, " ")}"`;

/**
 * The running header and the page numbers as CSS page-margin boxes of the page itself. Chromium's header and
 * footer templates are separate documents that load the font on their own; whether they shared the page's typeface
 * or embedded a second copy depended on timing, so the same edition printed twice did not always give the same
 * bytes (3 of 8 PDFs printed on a busy machine differed). Margin boxes use the page's fonts: one way, every time.
 */
export function withRunningText(html: string, p: Pick<PrintOptions, "header" | "footer">): string {
  const box = `font-family:"${FONT_FAMILY}",sans-serif;font-size:8pt;color:#5b5b58;`;
  const [before, rest = ""] = p.footer.split("{page}");
  const [between, after = ""] = rest.split("{total}");
  const footer = [
    cssString(before ?? ""),
    "counter(page)",
    ...(p.footer.includes("{total}")
      ? [cssString(between ?? ""), "counter(pages)", cssString(after)]
      : [cssString(rest)]),
  ].join(" ");
  const css = `@page{@top-right{content:${cssString(p.header)};${box}vertical-align:bottom;padding-bottom:4mm}@bottom-center{content:${footer};${box}vertical-align:top;padding-top:4mm}}`;
  const style = `<style>${css}</style>`;
  if (html.includes("</head>")) return html.replace("</head>", `${style}</head>`);
  const body = html.search(/<body[\s>]/i);
  return body >= 0 ? `${html.slice(0, body)}${style}${html.slice(body)}` : `${style}${html}`;
}

/**
 * One Chromium for the whole build. Each print gets its own page with JavaScript off and every request other than
 * inline data refused by its own Content-Security-Policy (`sealed`), so the PDF holds exactly what the build gave
 * it. Every step has a timeout.
 */
export async function launchPrinter(
  o: { executablePath?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<Printer> {
  const executablePath = o.executablePath ?? chromiumPath(o.env);
  if (!existsSync(executablePath))
    // the machine's to fix, not the program's: exit 1 (a bad input), like any other missing part
    throw new BulletinError(
      `Chromium not found at ${executablePath}: install it (Debian: apt-get install --no-install-recommends chromium) or set CHROMIUM_PATH to its path`,
      ExitCode.badInput,
    );
  // Chromium in one process grows with every print it makes (its RSS passed 1.4 GB after 600 municipal PDFs) and,
  // after a few hundred, slows down and then stops answering (the 600-edition batch and its floor both stalled at
  // ~400). So a browser makes at most RECYCLE_AFTER prints: then the pool drains (the prints under way finish) and a
  // fresh Chromium takes over; CHROMIUM_RECYCLE_AFTER=N sets it, 0 turns it off.
  const recycleAfter = Number(o.env?.CHROMIUM_RECYCLE_AFTER ?? process.env.CHROMIUM_RECYCLE_AFTER ?? RECYCLE_AFTER);
  const pool = new PagePool(executablePath, o.timeoutMs ?? 30_000, recycleAfter);
  await pool.start();
  return {
    stats: () => ({ browsers: pool.browsers }),
    unpin: () => pool.unpin(),
    print: (html, p) => pool.print(html, p),
    close: () => pool.close(),
  };
}

/**
 * One Chromium and a pool of pages sized to the cores: at most that many prints at once, each page kept warm for the
 * next one; a browser that stops answering is replaced, and one that has made `recycleAfter` prints is drained and
 * replaced by a fresh one.
 */
class PagePool {
  browsers = 1;
  private chromium: ReturnType<typeof startChromium>;
  private browser!: Browser;
  private readonly size = Math.max(1, availableParallelism());
  private readonly idle: Page[] = [];
  private readonly waiting: (() => void)[] = [];
  private busy = 0;
  private restarting: Promise<void> | undefined;
  private issued = 0;
  private draining = false;
  /** every CPU for the browser, and for those started after it (unpin) */
  private unpinned = false;
  /** a page is used for a limited number of prints (MAX_USES): in a long batch (600 PDFs), before browsers were
   * recycled, a page reused for hundreds of them made Chromium stop answering (its 180th area, twice) */
  private readonly uses = new WeakMap<Page, number>();
  constructor(
    private readonly executablePath: string,
    private readonly ms: number,
    private readonly recycleAfter: number,
  ) {
    // Chromium is spawned before puppeteer is even loaded, so its start-up overlaps everything else (see
    // chromium.ts). In its single-process mode it very rarely hangs before it announces its DevTools address (seen
    // once in ~40 launches of the test suite: font errors after 4 s, then nothing for 30 s); a start-up that takes
    // more than START_MS (it takes ~1.3 s) is given up and started once more.
    this.chromium = startChromium(executablePath, Math.min(ms, START_MS));
  }
  unpin() {
    this.unpinned = true;
    unpinChromium(this.chromium.process.pid);
  }
  /** A browser started in place of the one before (a slow start-up, a recycling, a browser that stopped answering). */
  private startAnother(ms: number) {
    const chromium = startChromium(this.executablePath, ms);
    this.chromium = chromium;
    // once it answers: before, taskset may not yet have pinned it, and would pin it after us
    if (this.unpinned) chromium.endpoint.then(() => unpinChromium(chromium.process.pid)).catch(() => {});
  }
  async start() {
    try {
      this.browser = await this.connect();
    } catch (e) {
      await this.chromium.stop(0);
      if (e instanceof RenderError) throw e;
      throw new RenderError(`Chromium at ${this.executablePath} did not start: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  private async endpoint() {
    try {
      return await this.chromium.endpoint;
    } catch (e) {
      if (!(e instanceof RenderError) || !/did not start within/.test(e.message)) throw e;
      await this.chromium.stop(0);
      this.startAnother(this.ms);
      return this.chromium.endpoint;
    }
  }
  private async connect() {
    const [{ default: puppeteer }, endpoint] = await Promise.all([
      import("puppeteer-core"),
      within(this.ms + START_MS, "starting Chromium", this.endpoint()),
    ]);
    return within(
      this.ms,
      "connecting to Chromium",
      puppeteer.connect({ browserWSEndpoint: endpoint, protocolTimeout: this.ms }),
    );
  }
  /** A browser that stopped answering (a print took longer than the timeout; seen in long batches, after a few
   * hundred PDFs) is replaced: the failed print is reported, the next ones go to a fresh Chromium. */
  private restart() {
    this.restarting ??= (async () => {
      this.idle.length = 0;
      await within(5000, "closing Chromium", this.browser.close()).catch(() => {});
      await this.chromium.stop(0);
      this.startAnother(this.ms);
      this.browser = await this.connect();
      this.browsers++;
    })().finally(() => {
      this.restarting = undefined;
    });
    return this.restarting;
  }
  private wake() {
    for (const w of this.waiting.splice(0)) w();
  }
  private async openPage(): Promise<Page> {
    const page = await within(this.ms, "opening a page", this.browser.newPage());
    await page.setJavaScriptEnabled(false);
    return page;
  }
  private async acquire(): Promise<Page> {
    while (this.draining || this.busy >= this.size) await new Promise<void>((r) => this.waiting.push(r));
    this.busy++;
    this.issued++;
    if (this.recycleAfter > 0 && this.issued >= this.recycleAfter) this.draining = true; // this print still goes to the old browser
    await this.restarting?.catch(() => {});
    const warm = this.idle.pop();
    if (warm) return warm;
    try {
      return await this.openPage();
    } catch (e) {
      this.done();
      throw e;
    }
  }
  /** A print has ended: the next one may start, or, when the pool drains for a fresh browser, it is started. */
  private done() {
    this.busy--;
    if (this.draining && this.busy === 0)
      void this.restart()
        .catch(() => {}) // the next print reports a browser that does not start
        .finally(() => {
          this.draining = false;
          this.issued = 0;
          this.wake();
        });
    else if (!this.draining) this.waiting.shift()?.();
  }
  private release(page: Page, ok: boolean) {
    const n = (this.uses.get(page) ?? 0) + 1;
    this.uses.set(page, n);
    if (ok && n < MAX_USES && !this.draining) this.idle.push(page);
    else void page.close().catch(() => {});
    this.done();
  }
  async print(html: string, p: PrintOptions): Promise<Uint8Array> {
    const ms = this.ms;
    const page = await this.acquire();
    let ok = false;
    try {
      await within(
        ms,
        "loading the HTML",
        page.setContent(sealed(withRunningText(html, p)), { waitUntil: "load", timeout: ms }),
      );
      const pdf = await within(
        ms,
        "printing",
        page.pdf({
          format: "A4",
          printBackground: true,
          tagged: true,
          outline: true,
          // the running header and footer are the page's own margin boxes (withRunningText), not Chromium's
          // header and footer templates
          displayHeaderFooter: false,
          margin: { top: "20mm", bottom: "18mm", left: "18mm", right: "18mm" },
          timeout: ms,
        }),
      );
      ok = true;
      return setPdfInfo(pdf, p.info, p.date);
    } catch (e) {
      if (e instanceof RenderError && /took longer than/.test(e.message)) await this.restart().catch(() => {});
      throw e;
    } finally {
      // a page that failed is closed; a good one waits for the next edition
      this.release(page, ok);
    }
  }
  async close() {
    await this.restarting?.catch(() => {});
    await within(5000, "closing Chromium", this.browser.close()).catch(() => {});
    await this.chromium.stop();
  }
}
