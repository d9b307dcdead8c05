import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Preview, serve } from "../src/commands/serve.ts";
import { nodeEffects } from "../src/effects-node.ts";
import { chromiumArgs } from "../src/pdf/chromium.ts";
import { chromiumPath } from "../src/pdf/print-pdf.ts";
import { root } from "./helpers.ts";

/*
 * `bulletin serve` in a real browser: an edited template appears without a reload by hand, a broken one shows the
 * overlay with file, line and hint over the last good page, the fix takes it away; nothing outside the editions is
 * served, and by default nobody else on the network can reach it.
 */

let dir: string;
let preview: Preview;
let browser: Browser;
let page: Page;
const fx = nodeEffects({ quiet: true });
const headline = () => join(dir, "templates/narrative/en/headline.hbs");
let original: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "bulletin-serve-"));
  for (const p of ["config.yml", "templates", "data"]) cpSync(join(root, p), join(dir, p), { recursive: true });
  original = readFileSync(headline(), "utf8");
  preview = await serve({ configPath: join(dir, "config.yml"), host: "127.0.0.1", port: 0 }, fx);
  browser = await puppeteer.launch({ executablePath: chromiumPath(), args: chromiumArgs(), headless: true });
  page = await browser.newPage();
  await page.goto(preview.url.replace("/nl/", "/en/"), { waitUntil: "load" });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await preview?.close();
  await fx.close();
});

/** The text of the first section's body in the open page. */
const bodyText = () => page.$eval("#headline .text", (e) => e.textContent ?? "");
const overlayText = () => page.evaluate(() => document.getElementById("bulletin-preview-overlay")?.textContent ?? null);

describe("live preview in a browser", () => {
  it("an edited template: the new sentence appears without reloading by hand, the scroll position kept", async () => {
    await page.evaluate(() => window.scrollTo(0, 1500));
    writeFileSync(
      headline(),
      original.replace("=== body\n", "=== body\nA sentence written while the preview was open. "),
    );
    await page.waitForFunction(
      () => document.body.textContent?.includes("A sentence written while the preview was open."),
      { timeout: 10_000 },
    );
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(1000);
    expect(await bodyText()).toContain("A sentence written while the preview was open.");
  });

  it("a broken template: an overlay with file, line and hint over the last good page; fixed: it goes", async () => {
    const rebuilt = preview.nextRebuild();
    writeFileSync(headline(), original.replace("=== body\n", "=== body\n{{#if view.balancePositive}}unclosed "));
    expect((await rebuilt).ok).toBe(false);
    await page.waitForFunction(() => document.getElementById("bulletin-preview-overlay"), { timeout: 5000 });
    const overlay = await overlayText();
    expect(overlay).toMatch(/templates\/narrative\/en\/headline\.hbs:\d+:\d+: error: /);
    expect(overlay).toContain("is never closed");
    expect(overlay).toContain("hint: close it with {{/if}}");
    // the last good page is still there underneath
    expect(await bodyText()).toContain("A sentence written while the preview was open.");

    writeFileSync(headline(), original);
    await page.waitForFunction(() => !document.getElementById("bulletin-preview-overlay"), { timeout: 10_000 });
    expect(await overlayText()).toBeNull();
    expect(await bodyText()).not.toContain("A sentence written while the preview was open.");
  });
});

/**
 * Writes a file and waits for the rebuild it causes. The misspelled-config test below writes config.yml twice within
 * a few tens of milliseconds: chokidar folds the second write into the first (its 50 ms throttle), and the preview
 * finds the change by comparing the files with what its last rebuild read (serve.ts, SETTLE_MS).
 */
async function writeAndRebuild(file: string, text: string) {
  const next = preview.nextRebuild();
  writeFileSync(file, text);
  return next;
}

describe("bad data and a bad config show the same overlay", () => {
  it("two saves of config.yml 40 ms apart: the preview ends on the second", async () => {
    const cfg = join(dir, "config.yml");
    const good = readFileSync(cfg, "utf8");
    const within = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<undefined>((ok) => setTimeout(() => ok(undefined), 10_000))]);
    let r = await within(
      (async () => {
        const first = preview.nextRebuild();
        writeFileSync(cfg, good.replace("languages:", "langauges:"));
        await new Promise((ok) => setTimeout(ok, 40));
        writeFileSync(cfg, good);
        return first;
      })(),
    );
    // the rebuild may have read either save; if it read the first, another one must follow for the second
    if (r && !r.ok) r = await within(preview.nextRebuild());
    expect(r?.ok).toBe(true);
  }, 60_000);

  it("a misspelled key in config.yml: located, with the hint; fixed: gone", async () => {
    const cfg = join(dir, "config.yml");
    const good = readFileSync(cfg, "utf8");
    expect((await writeAndRebuild(cfg, good.replace("languages:", "langauges:"))).ok).toBe(false);
    await page.waitForFunction(() => document.getElementById("bulletin-preview-overlay"), { timeout: 10_000 });
    expect(await overlayText()).toMatch(
      /config\.yml:\d+:\d+: error: unknown key `langauges`[\s\S]*did you mean `languages`/,
    );
    // the data are read and checked again after a config change: on a busy machine that takes seconds
    expect((await writeAndRebuild(cfg, good)).ok).toBe(true);
    await page.waitForFunction(() => !document.getElementById("bulletin-preview-overlay"), { timeout: 10_000 });
  }, 120_000);
});

/** A raw GET of `path` exactly as written (no client-side normalisation of `..` or `%2e`). */
function get(base: string, path: string, method = "GET"): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const r = request({ host: u.hostname, port: u.port, path, method }, (res) => {
      let body = "";
      res.on("data", (c) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    r.on("error", reject);
    r.end();
  });
}

describe("the server serves the editions and nothing else", () => {
  it.each([
    "/../config.yml",
    "/2024/en/../../config.yml",
    "/%2e%2e/config.yml",
    "/2024/en/%2e%2e/%2e%2e/config.yml",
    "/2024/en/..%2f..%2fconfig.yml",
    "/2024/en/charts/../../../data/population.csv",
    "/config.yml",
    "/data/population.csv",
    "/templates/narrative/en/headline.hbs",
  ])("%s: not found", async (path) => {
    const r = await get(preview.url, path);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain("year,nis");
  });

  it("read-only: POST and PUT are refused; GET and HEAD of an edition's files work", async () => {
    expect((await get(preview.url, "/2024/en/", "POST")).status).toBe(405);
    expect((await get(preview.url, "/2024/en/bulletin.html", "PUT")).status).toBe(405);
    expect((await get(preview.url, "/2024/en/charts/regions.csv", "HEAD")).status).toBe(200);
    const csv = await get(preview.url, "/2024/en/charts/regions.csv");
    expect(csv.body).toContain("year,region,region_label");
  });

  it("listens on 127.0.0.1 only: not reachable on the machine's other addresses", async () => {
    const port = new URL(preview.url).port;
    expect(new URL(preview.url).hostname).toBe("127.0.0.1");
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === "IPv4" && !a.internal)
      .map((a) => a!.address);
    for (const address of others) {
      const reached = await get(`http://${address}:${port}/`, "/").then(
        () => true,
        () => false,
      );
      expect(reached, address).toBe(false);
    }
  });

  it("the PDF is printed on request from the current HTML", async () => {
    const r = await get(preview.url, "/2024/en/bulletin.pdf");
    expect(r.status).toBe(200);
    expect(r.body.startsWith("%PDF-")).toBe(true);
  }, 60_000);
});

describe("editions that do not exist, and a bounded memory", () => {
  it.each(["/2031/en/", "/2024/fr/", "/2024/municipalities/99999/en/", "/2024/en/charts/nothing.svg"])(
    "%s: 404 with the list of editions, not a build error",
    async (path) => {
      const r = await get(preview.url, path);
      expect(r.status).toBe(404);
      expect(r.body).toContain("No edition at <code>");
      expect(r.body).toContain('<a href="/2024/en/">en</a>');
      expect(r.body).not.toContain("could not be rebuilt");
    },
  );

  it("past its memory budget the least recently viewed editions are dropped, never the one on screen, and come back when asked for", async () => {
    const small = await serve({ configPath: join(dir, "config.yml"), host: "127.0.0.1", port: 0, memoryMb: 1 }, fx);
    try {
      const munis = ["38002", "38008", "38014"];
      for (const m of munis) {
        const r = await get(small.url, `/2024/municipalities/${m}/en/`);
        expect(r.status, m).toBe(200);
      }
      // one edition holds more than 1 MB: only the last one viewed is kept (the region's, opened first, is gone)
      const index = (await get(small.url, "/")).body;
      expect(index).toContain("2024, 38014:");
      expect(index).not.toContain("2024, 38002:");
      expect(index).not.toContain("2024, 02000:");
      const again = await get(small.url, "/2024/municipalities/38002/en/");
      expect(again.status).toBe(200);
      expect(again.body).toContain("Alveringem");
    } finally {
      await small.close();
    }
  }, 120_000);
});
