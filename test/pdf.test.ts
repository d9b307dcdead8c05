import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { build } from "../src/commands/build.ts";
import { BulletinError, RenderError } from "../src/errors/problem.ts";
import { allowedCpus, chromiumArgs, chromiumCpus, PUPPETEER_DEFAULT_ARGS, unpinChromium } from "../src/pdf/chromium.ts";
import { pdfString, setPdfInfo } from "../src/pdf/pdf-info.ts";
import { launchPrinter } from "../src/pdf/print-pdf.ts";
import { configPath, overlayEffects, root } from "./helpers.ts";

let out: string;
const text: Record<string, string> = {};
const pdfPath = (l: string) => join(out, "2024", l, "bulletin.pdf");
beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), "bulletin-pdf-"));
  await build({ configPath, outDir: out, formats: ["pdf"] }, overlayEffects());
  for (const l of ["en", "nl"]) text[l] = execFileSync("pdftotext", ["-layout", pdfPath(l), "-"]).toString("utf8");
});

describe("PDF editions printed by Chromium", () => {
  it("only the PDF was asked for: no HTML written", () => {
    expect(readdirSync(join(out, "2024", "en")).sort()).toEqual([
      "bulletin.pdf",
      "charts",
      "facts.json",
      "summary.json",
    ]);
  });

  it.each([
    [
      "en",
      [
        "Nearly 94,400 international immigrations in 2024",
        "Official deletions account for 47% of international emigration",
        "International immigration below European average",
        "Page 1 of",
        "Demonstration edition",
      ],
    ],
    [
      "nl",
      [
        "Bijna 94.400 internationale immigraties in 2024",
        "Ambtshalve schrappingen zijn goed voor 47% van de internationale emigratie",
        "Internationale immigratie onder het Europese gemiddelde",
        "Pagina 1 van",
        "Demonstratie-editie",
        "Oekraïense",
        "officiële",
      ],
    ],
  ])("%s: headlines in the right language, Dutch characters intact, page numbers", (lang, needles) => {
    const flat = text[lang]!.replace(/\s+/g, " ");
    for (const n of needles) expect(flat).toContain(n);
  });

  it.each(["en", "nl"])("%s: tagged, titled, subject and keywords set, language set, every font embedded", (lang) => {
    const info = execFileSync("pdfinfo", [pdfPath(lang)]).toString("utf8");
    expect(info).toMatch(/Tagged:\s+yes/);
    expect(info).toMatch(
      lang === "en"
        ? /Title:\s+International migration 2024 — Flemish Region/
        : /Title:\s+Internationale migratie 2024 — Vlaams Gewest/,
    );
    expect(info).toMatch(
      lang === "en"
        ? /Subject:\s+Nearly 94,400 international immigrations in 2024/
        : /Subject:\s+Bijna 94.400 internationale immigraties in 2024/,
    );
    expect(info).toMatch(/Keywords:\s+\S/);
    expect(info).toMatch(/Page size:\s+595.9\d? x 841.9\d? pts \(A4\)/);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
    expect(pages).toBeGreaterThanOrEqual(6);
    const fonts = execFileSync("pdffonts", [pdfPath(lang)])
      .toString("utf8")
      .split("\n")
      .slice(2)
      .filter(Boolean);
    expect(fonts.length).toBeGreaterThan(0);
    for (const f of fonts) expect(f, f).toMatch(/\s+yes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/);
    expect(fonts.some((f) => f.includes("SourceSans3"))).toBe(true);
    const raw = readFileSync(pdfPath(lang)).toString("latin1");
    expect(raw).toContain(`/Lang (${lang})`);
    expect(raw).toContain("/Outlines");
  });
});

describe("the print page is sealed and every failure is clear", () => {
  it("the page loads nothing from outside and runs no script", async () => {
    const hits: string[] = [];
    const server = createServer((req, res) => {
      hits.push(req.url ?? "");
      res.end("x");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const printer = await launchPrinter();
    try {
      const html = `<!doctype html><html lang="en"><meta charset="utf-8"><body><p id="p">static</p><img src="http://127.0.0.1:${port}/img.png"><link rel="stylesheet" href="http://127.0.0.1:${port}/a.css"><script>document.getElementById("p").textContent = "script ran"</script></body></html>`;
      const pdf = await printer.print(html, {
        lang: "en",
        header: "h",
        footer: "Page {page} of {total}",
        info: { title: "t", subject: "s", keywords: "k", author: "a", creator: "c" },
      });
      const file = join(mkdtempSync(join(tmpdir(), "sealed-")), "x.pdf");
      writeFileSync(file, pdf);
      const t = execFileSync("pdftotext", [file, "-"]).toString("utf8");
      expect(t).toContain("static");
      expect(t).not.toContain("script ran");
      expect(t).toContain("Page 1 of 1"); // the running footer, a margin box of the page itself
    } finally {
      await printer.close();
      server.close();
    }
    expect(hits).toEqual([]);
  });

  it("a browser is replaced after CHROMIUM_RECYCLE_AFTER prints: the prints under way finish, the queued ones go to the fresh one", async () => {
    const printer = await launchPrinter({ env: { ...process.env, CHROMIUM_RECYCLE_AFTER: "2" } });
    try {
      const pdfs = await Promise.all(
        Array.from({ length: 3 }, (_, i) =>
          printer.print(
            `<!doctype html><html lang="en"><meta charset="utf-8"><body><p>print number ${i}</p></body></html>`,
            {
              lang: "en",
              header: "h",
              footer: "Page {page}",
              info: { title: "t", subject: "s", keywords: "k", author: "a", creator: "c" },
            },
          ),
        ),
      );
      const dir = mkdtempSync(join(tmpdir(), "recycle-"));
      pdfs.forEach((pdf, i) => {
        writeFileSync(join(dir, `${i}.pdf`), pdf);
        expect(execFileSync("pdftotext", [join(dir, `${i}.pdf`), "-"]).toString("utf8")).toContain(`print number ${i}`);
      });
      expect(printer.stats?.().browsers).toBe(2); // prints 1–2, then 3 on a fresh browser
    } finally {
      await printer.close();
    }
  });

  it("a missing browser: the machine's to fix (exit code 1), with how to install it", async () => {
    const err = await launchPrinter({ executablePath: "/nonexistent/chromium" }).catch((e) => e);
    expect(err).toBeInstanceOf(BulletinError);
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain("apt-get install --no-install-recommends chromium");
    expect(err.message).toContain("CHROMIUM_PATH");
  });

  it("a browser that exits at once: a RenderError naming it, its profile folder removed", async () => {
    // a temp folder of its own: the other tests' browsers make and remove their profile folders meanwhile
    const own = mkdtempSync(join(tmpdir(), "bulletin-false-"));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = own;
    const err = await launchPrinter({ executablePath: "/bin/false", timeoutMs: 5000 })
      .catch((e) => e)
      .finally(() => {
        if (saved === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = saved;
      });
    expect(err).toBeInstanceOf(RenderError);
    expect(err.message).toMatch(/^Chromium at \/bin\/false exited before it was ready \(code 1\)/);
    expect(readdirSync(own)).toEqual([]);
  });

  it("a build stopped by SIGTERM takes its Chromium and the browser's profile folder with it", async () => {
    const out = mkdtempSync(join(tmpdir(), "bulletin-sigterm-"));
    const node = spawn(process.execPath, [join(root, "src/bin.js"), "build", "--out", out], {
      cwd: root,
      stdio: "ignore",
    });
    // Chromium: a child of this build whose command line names its profile folder
    const findChromium = () => {
      for (const pid of readdirSync("/proc").filter((f) => /^\d+$/.test(f))) {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
          const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
          const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
          const profile = /--user-data-dir=([^\0]*bulletin-chromium-[^\0]*)/.exec(cmd)?.[1];
          if (ppid === node.pid && profile) return { pid: Number(pid), profile };
        } catch {}
      }
      return undefined;
    };
    let chromium: { pid: number; profile: string } | undefined;
    for (let i = 0; i < 200 && !chromium; i++) {
      await new Promise((r) => setTimeout(r, 50));
      chromium = findChromium();
    }
    expect(chromium).toBeDefined();
    const exited = new Promise<NodeJS.Signals | null>((r) => node.once("exit", (_code, signal) => r(signal)));
    node.kill("SIGTERM");
    expect(await exited).toBe("SIGTERM");
    // SIGKILLed at once; on a loaded machine the kernel may take many seconds to tear down its large address space:
    // a process with SIGKILL pending (bit 9 of SigPnd or ShdPnd in /proc/PID/status) is on its way out
    const status = () => {
      try {
        return readFileSync(`/proc/${chromium!.pid}/status`, "utf8");
      } catch {
        return undefined; // gone
      }
    };
    const dying = (st: string) =>
      /^State:\s+[ZX]/m.test(st) ||
      [...st.matchAll(/^(?:SigPnd|ShdPnd):\s+([0-9a-f]+)/gm)].some((m) => (BigInt(`0x${m[1]}`) & 0x100n) !== 0n);
    let last = status();
    for (let i = 0; i < 400 && last && !dying(last); i++) {
      await new Promise((r) => setTimeout(r, 50));
      last = status();
    }
    const left = last && !dying(last) ? last.split("\n").filter((l) => /^(State|SigPnd|ShdPnd|PPid):/.test(l)) : [];
    expect(left, "Chromium neither gone nor killed").toEqual([]);
    expect(existsSync(chromium!.profile)).toBe(false);
    expect(existsSync(join(out, "2024"))).toBe(false); // nothing half-written was published
  });

  it("on a small machine Chromium gets the last CPU; CHROMIUM_CPUS chooses, `all` turns it off", () => {
    const status = join(mkdtempSync(join(tmpdir(), "bulletin-status-")), "status");
    writeFileSync(status, "Name:\tnode\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n");
    expect(allowedCpus(status)).toEqual([0, 1]);
    writeFileSync(status, "Cpus_allowed_list:\t2,5-7\n");
    expect(allowedCpus(status)).toEqual([2, 5, 6, 7]);
    expect(allowedCpus("/nonexistent/status")).toBeUndefined();
    expect(chromiumCpus({}, [0, 1], true)).toBe("1");
    expect(chromiumCpus({}, [2, 5, 6, 7], true)).toBe("7");
    expect(chromiumCpus({}, [0], true)).toBeUndefined(); // one CPU: nothing to keep apart
    expect(chromiumCpus({}, [0, 1, 2, 3, 4, 5, 6, 7], true)).toBeUndefined(); // larger machines: not measured
    expect(chromiumCpus({ CHROMIUM_CPUS: "0-1" }, [0, 1], true)).toBe("0-1");
    expect(chromiumCpus({ CHROMIUM_CPUS: "all" }, [0, 1], true)).toBeUndefined();
    expect(chromiumCpus({}, [0, 1], false)).toBeUndefined(); // no taskset
  });

  it("a build lets Chromium use every CPU once the last edition is handed over; a batch (with its caches) does not", async () => {
    const events: string[] = [];
    const printer = {
      print: async (_html: string, o: { lang: string }) => {
        events.push(`print ${o.lang}`);
        return new TextEncoder().encode("%PDF-fake");
      },
      close: async () => {},
      unpin: () => {
        events.push("unpin");
      },
    };
    const fx = overlayEffects({}, { startPrinter: async () => printer });
    const { render } = await import("../src/chain/pipeline.ts");
    await render({ configPath, year: 2024, formats: ["pdf"] }, fx);
    expect(events).toEqual(["print nl", "print en", "unpin"]);
    events.length = 0;
    await render({ configPath, year: 2024, formats: ["pdf"], cache: { prepared: new Map() } }, fx);
    expect(events).toEqual(["print nl", "print en"]);
  });

  it("unpinning: a process pinned to one CPU gets every CPU of ours; CHROMIUM_CPUS is kept; one CPU: nothing", async () => {
    const ours = allowedCpus() ?? [];
    // the CPUs each thread of the process may run on
    const listOf = (pid: number) =>
      readdirSync(`/proc/${pid}/task`).map((t) => allowedCpus(`/proc/${pid}/task/${t}/status`)?.join(","));
    const pinned = (cpu: number) => spawn("/usr/bin/taskset", ["--cpu-list", String(cpu), "sleep", "30"]);
    if (ours.length < 2 || ours.length > 4) {
      // nothing is pinned on such a machine (chromiumCpus), so nothing is unpinned
      expect(unpinChromium(process.pid, {}, ours)).toBe(false);
      return;
    }
    const last = ours[ours.length - 1]!;
    const [a, b] = [pinned(last), pinned(last)];
    try {
      await new Promise((r) => setTimeout(r, 200)); // taskset has exec'd sleep
      expect(unpinChromium(a.pid, { CHROMIUM_CPUS: String(last) }, ours)).toBe(false);
      expect(unpinChromium(b.pid, {}, ours)).toBe(true);
      const all = ours.join(",");
      for (let i = 0; i < 40 && listOf(b.pid!).some((l) => l !== all); i++) await new Promise((r) => setTimeout(r, 50));
      expect(listOf(b.pid!)).toEqual([all]);
      expect(listOf(a.pid!)).toEqual([String(last)]);
    } finally {
      a.kill();
      b.kill();
    }
  });

  it("Chromium is started with puppeteer's own default arguments (kept in step with the installed puppeteer)", async () => {
    const { default: puppeteer } = await import("puppeteer-core");
    const theirs = puppeteer
      .defaultArgs({ headless: true })
      .filter((a) => a !== "about:blank" && !a.startsWith("--user-data-dir") && !a.startsWith("--remote-debugging"));
    expect(PUPPETEER_DEFAULT_ARGS).toEqual(theirs);
    expect(chromiumArgs({})).toEqual(
      expect.arrayContaining(["--export-tagged-pdf", "--generate-pdf-document-outline"]),
    );
    expect(chromiumArgs({})).toContain("--single-process");
    expect(chromiumArgs({ CHROMIUM_MULTIPROCESS: "1" })).not.toContain("--single-process");
  });

  it("a printer that fails: the build fails, nothing is published, the previous output stays", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bulletin-fail-"));
    await build({ configPath, outDir: dir, formats: ["html"], langs: ["en"] }, overlayEffects());
    const before = readFileSync(join(dir, "2024", "en", "bulletin.html"), "utf8");
    let closed = false;
    const failing = async () => ({
      print: async () => {
        throw new RenderError("PDF: printing took longer than 1 ms; the browser was closed");
      },
      close: async () => {
        closed = true;
      },
    });
    // the effects own the browser: the command closes them however the build ends (cli.ts withEffects)
    const fx = overlayEffects({}, { startPrinter: failing });
    await expect(build({ configPath, outDir: dir }, fx)).rejects.toThrow("printing took longer");
    await fx.close();
    expect(closed).toBe(true);
    expect(readFileSync(join(dir, "2024", "en", "bulletin.html"), "utf8")).toBe(before);
    expect(existsSync(join(dir, "2024", "en", "bulletin.pdf"))).toBe(false);
    expect(readdirSync(dir)).toEqual(["2024"]);
  });

  it("Chromium gets the edition without what print hides (data tables, downloads, language link), else the same", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bulletin-printcopy-"));
    const given: Record<string, string> = {};
    const printer = {
      print: async (html: string, o: { lang: string }) => {
        given[o.lang] = html;
        return new TextEncoder().encode("%PDF-fake");
      },
      close: async () => {},
    };
    await build({ configPath, outDir: dir }, overlayEffects({}, { startPrinter: async () => printer }));
    for (const lang of ["nl", "en"]) {
      const screen = readFileSync(join(dir, "2024", lang, "bulletin.html"), "utf8");
      const print = given[lang]!;
      expect(screen).toContain('<details class="data">');
      expect(print).not.toContain('<details class="data">');
      expect(screen).toContain('class="downloads"');
      expect(print).not.toContain('class="downloads"');
      expect(screen).toContain('class="lang-switch"');
      expect(print).not.toContain('class="lang-switch"');
      // everything else is the same document: the three kinds of block taken out, the two copies are equal
      const strip = (h: string) =>
        h
          .replace(/<details class="data">[\s\S]*?<\/details>/g, "")
          .replace(/<p class="downloads">.*?<\/p>/g, "")
          .replace(/<p class="lang-switch">.*?<\/p>/g, "")
          .replace(/\s+/g, " ");
      expect(strip(print)).toBe(strip(screen));
    }
  });

  it("a shared printer (a series of editions in one process) prints every edition and stays open", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bulletin-shared-"));
    const printed: string[] = [];
    let closed = false;
    const printer = {
      print: async (html: string, o: { lang: string }) => {
        printed.push(`${o.lang}:${html.includes(`<html lang="${o.lang}"`)}`);
        return new TextEncoder().encode(`%PDF-fake ${o.lang}`);
      },
      close: async () => {
        closed = true;
      },
    };
    // one effects object for the series, as a program building many editions holds it; never closed here
    const fx = overlayEffects({}, { startPrinter: async () => printer });
    for (const year of [2023, 2024]) await build({ configPath, outDir: dir, year, formats: ["pdf"] }, fx);
    expect(printed.sort()).toEqual(["en:true", "en:true", "nl:true", "nl:true"]);
    expect(closed).toBe(false);
    expect(readFileSync(join(dir, "2023", "nl", "bulletin.pdf"), "utf8")).toBe("%PDF-fake nl");
  });
});

describe("PDF document information", () => {
  it("text strings: ASCII literal, otherwise UTF-16BE", () => {
    expect(pdfString("International (2024)")).toBe("(International \\(2024\\))");
    expect(pdfString("Oekraïne")).toBe("<FEFF004F0065006B007200610069006E0065>".replace("0069006E", "00EF006E"));
  });
  it("an incremental update keeps the original bytes", () => {
    const minimal = Buffer.from(
      "%PDF-1.4\n1 0 obj\n<</Type /Catalog>>\nendobj\nxref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<</Size 2\n/Root 1 0 R>>\nstartxref\n47\n%%EOF\n",
      "latin1",
    );
    const updated = Buffer.from(
      setPdfInfo(new Uint8Array(minimal), { title: "T", subject: "S", keywords: "K", author: "A", creator: "C" }),
    );
    expect(updated.subarray(0, minimal.length).equals(minimal)).toBe(true);
    const tail = updated.subarray(minimal.length).toString("latin1");
    expect(tail).toContain("2 0 obj\n<</Title (T)");
    expect(tail).toContain("/Prev 47");
    expect(tail).toMatch(/\/Size 3\n\/Root 1 0 R\n\/Info 2 0 R/);
  });
});
