import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { hashedCache } from "../src/chain/hashed-cache.ts";
import { roundHash } from "../src/chain/round.ts";
import { loadConfig } from "../src/config/read-config.ts";
import { flowFile } from "../src/data/read-datasets.ts";
import type { EditionCells } from "../src/disclosure/cells.ts";
import { cellKey, roundGeography } from "../src/disclosure/keys.ts";
import { lpAudit, smallPublished } from "../src/disclosure/lp.ts";
import { roundPattern, withheldCells } from "../src/disclosure/pattern.ts";
import { propagate, protectedBounds } from "../src/disclosure/propagate.ts";
import { buildSystem, type Categories, type Kind, type Round, type System } from "../src/disclosure/system.ts";
import type { Effects } from "../src/effects.ts";
import { configPath, dataText, overlayEffects, replaceLine, root } from "./helpers.ts";

/*
 * The round-wide suppression pattern and its LP audit (src/disclosure/), on linked hierarchies small enough to
 * read: municipalities → arrondissement → province → region, components → total, the years → the period, and
 * immigration − emigration = balance. The audit is HiGHS; the pattern must leave it nothing to find.
 */

const M = 5;
const year = 2024;

/** A system from hand-written variables and relations (kind, value) for the solver tests. */
function system(vars: Record<string, [Kind, number?]>, rels: [Record<string, number>, number, "=" | "<="][]): System {
  const s: System = { vars: new Map(), relations: [] };
  for (const [key, [kind, value]] of Object.entries(vars))
    s.vars.set(key, {
      key,
      kind,
      value,
      lo: kind === "published" ? value! : 1,
      hi: kind === "published" ? value! : kind === "primary" ? M - 1 : Number.POSITIVE_INFINITY,
    });
  for (const [terms, rhs, op] of rels) s.relations.push({ terms: Object.entries(terms), rhs, op, why: "test" });
  return s;
}
const k = (name: string) => cellKey(name, year, "immigration", "T");

describe("LP audit (HiGHS)", () => {
  it("finds a '<5' cell that is the only hidden part of a published sum, and none once a partner is hidden", async () => {
    const [t, a, b, c] = ["t", "a", "b", "c"].map(k) as [string, string, string, string];
    const sum: [Record<string, number>, number, "="] = [{ [t]: 1, [a]: -1, [b]: -1, [c]: -1 }, 0, "="];
    const open = system({ [t]: ["published", 52], [a]: ["primary"], [b]: ["published", 20], [c]: ["published", 30] }, [
      sum,
    ]);
    const found = await lpAudit(open, M);
    expect(found.findings.map((f) => [f.key, f.lo, f.hi])).toEqual([[a, 2, 2]]);
    const shut = system({ [t]: ["published", 52], [a]: ["primary"], [b]: ["secondary"], [c]: ["published", 30] }, [
      sum,
    ]);
    expect((await lpAudit(shut, M)).findings).toEqual([]);
  });

  it("finds what bounds propagation cannot: two relations that pin two hidden cells together", async () => {
    // x + y = 5 and x − y = 1: each relation alone leaves both cells a range; together x = 3, y = 2
    const [x, y] = [k("x"), k("y")];
    const s = system({ [x]: ["primary"], [y]: ["primary"] }, [
      [{ [x]: 1, [y]: 1 }, 5, "="],
      [{ [x]: 1, [y]: -1 }, 1, "="],
    ]);
    propagate(s);
    const px = s.vars.get(x)!;
    expect(px.hi - px.lo).toBeGreaterThanOrEqual(1); // propagation alone does not pin it
    const { findings } = await lpAudit(s, M);
    expect(findings.map((f) => [f.key, f.lo, f.hi]).sort()).toEqual([
      [x, 3, 3],
      [y, 2, 2],
    ]);
  });

  it("states the promise: '<5' keeps 1 to 4, 'x' keeps two values one of which could be 5 or more", () => {
    expect(protectedBounds("primary", 1, 4, M)).toBe(true);
    expect(protectedBounds("primary", 1, 3, M)).toBe(false);
    expect(protectedBounds("secondary", 3, 4, M)).toBe(false);
    expect(protectedBounds("secondary", 3, 9, M)).toBe(true);
    expect(protectedBounds("secondary", 7, 7, M)).toBe(false);
  });
});

/** Three municipalities in one arrondissement, province and region; two components; three years and the period. */
const codes = {
  municipalities: {
    file: "municipalities.csv",
    rows: ["11001", "11002", "11003"].map((nis, i) => ({
      line: i + 2,
      nis,
      arrondissement: "11000",
      province: "10000",
      region: "02000",
    })),
  },
  crosswalk: { file: "crosswalk.csv", rows: [] },
};
const cats: Categories = {
  components: { immigration: ["a", "b"], emigration: ["a", "b"] },
  groupOf: new Map(),
  groups: [],
};
const years = [2022, 2023, 2024];

/** The round's editions as cells: every area publishes its yearly totals, components and period totals. */
function round(values: number[]): { round: Round; truth: Map<string, number> } {
  const g = roundGeography(codes, { year, geography: year, region: "02000" });
  const munis = ["11001", "11002", "11003"];
  const truth = new Map<string, number>();
  const editions: EditionCells[] = [];
  const areas = [...munis, "11000", "10000", "02000"];
  let i = 0;
  const comp = new Map<string, number>(); // muni|year|dir|c → value
  for (const m of munis)
    for (const y of years)
      for (const d of ["immigration", "emigration"])
        for (const c of ["a", "b"]) comp.set(`${m}|${y}|${d}|${c}`, values[i++ % values.length]!);
  for (const area of areas) {
    const inside = munis.includes(area) ? [area] : munis;
    const cells: EditionCells["cells"] = [];
    const put = (key: string, v: number) => {
      truth.set(key, v);
      cells.push({ key, value: v, paths: [key] });
    };
    for (const d of ["immigration", "emigration"]) {
      let period = 0;
      for (const y of years) {
        const geo = g.geoKey(area, y);
        let total = 0;
        for (const c of ["a", "b"]) {
          const v = inside.reduce((s, m) => s + comp.get(`${m}|${y}|${d}|${c}`)!, 0);
          put(cellKey(geo, y, d, `c:${c}`), v);
          total += v;
        }
        put(cellKey(geo, y, d, "T"), total);
        period += total;
      }
      put(cellKey(g.periodKey(area, 2022, 2024), "2022-2024", d, "T"), period);
    }
    editions.push({ area, cells, facts: [], tells: [], lists: [] });
  }
  return { round: { geo: g, editions }, truth };
}

/** The system as a reader of the published round writes it down. */
function published(r: Round, truth: Map<string, number>, hidden: Map<string, { kind: string; shown?: string }>) {
  return buildSystem(
    [r],
    cats,
    (key) => {
      const h = hidden.get(key);
      if (h) return { kind: (h.shown ?? h.kind) as Kind };
      const v = truth.get(key);
      return v === undefined ? undefined : { kind: "published", value: v };
    },
    M,
  );
}

describe("round pattern", () => {
  it("fails the audit when one hidden cell is put back", async () => {
    // one municipality with a single transfer (component b) in 2024: the pattern must hide a partner for it
    const values = Array.from({ length: 36 }, (_, i) => 10 + (i % 7));
    values[5] = 1; // 11001, 2024, immigration, component b
    const { round: r, truth } = round(values);
    const p = await roundPattern(r, truth, { rounds: [], marking: new Map() }, cats, M);
    const secondaries = [...p.hidden].filter(([, h]) => h.kind === "secondary").map(([key]) => key);
    expect(secondaries.length).toBeGreaterThan(0);
    expect((await lpAudit(published(r, truth, p.hidden), M)).findings).toEqual([]);
    // put each secondary back in turn: at least one of them gives the small count away
    let exposed = 0;
    for (const key of secondaries) {
      const tampered = new Map(p.hidden);
      tampered.delete(key);
      if ((await lpAudit(published(r, truth, tampered), M)).findings.length) exposed++;
    }
    expect(exposed).toBeGreaterThan(0);
    // and a small count published outright is caught without a solver
    const leaked = new Map(p.hidden);
    const small = [...p.hidden].find(([, h]) => h.kind === "primary")![0];
    leaked.delete(small);
    expect(smallPublished(published(r, truth, leaked), M)).toContain(small);
  }, 30_000);
});

describe("breakdowns withheld: no shared attribute of a few persons (#30)", () => {
  const truth = (cells: Record<string, number>) => new Map(Object.entries(cells));
  it("the zeros beside the one small category; every category of a small area; none of a breakdown of nobody", () => {
    const t = truth({
      // one non-zero category, a count of 1–4: its zeros are withheld
      "11001|2024|immigration|T": 3,
      "11001|2024|immigration|c:strict": 3,
      "11001|2024|immigration|c:re-registration": 0,
      "11001|2024|immigration|c:from-waiting-register": 0,
      // two non-zero categories: published
      "11001|2024|emigration|T": 7,
      "11001|2024|emigration|c:strict": 5,
      "11001|2024|emigration|c:official-deletion": 2,
      "11001|2024|emigration|c:to-waiting-register": 0,
      // one non-zero category of 5 or more: five persons share it, as any published count says
      "11002|2024|immigration|g:BE": 0,
      "11002|2024|immigration|g:EU27": 6,
      "11002|2024|immigration|g:non-EU": 0,
      // a small area: every category that is not a primary already
      "73028|2024|immigration|g:BE": 0,
      "73028|2024|immigration|g:EU27": 2,
      "73028|2024|immigration|g:non-EU": 6,
      // nobody: nothing to tell
      "73028|2024|emigration|g:BE": 0,
      "73028|2024|emigration|g:EU27": 0,
      "73028|2024|emigration|g:non-EU": 0,
    });
    expect(withheldCells(t, 5, new Set(["73028"]))).toEqual([
      "11001|2024|immigration|c:from-waiting-register",
      "11001|2024|immigration|c:re-registration",
      "73028|2024|immigration|g:BE",
      "73028|2024|immigration|g:non-EU",
    ]);
    expect(withheldCells(t, 5, new Set())).toEqual([
      "11001|2024|immigration|c:from-waiting-register",
      "11001|2024|immigration|c:re-registration",
    ]);
  });
});

describe("the round's inputs hash", () => {
  it("is the table's text, not its bytes: gzipped again, with a BOM and CRLF line ends it is the same; a count changed is not", async () => {
    const fx = overlayEffects();
    const config = await loadConfig(configPath, fx);
    const file = relative(root, flowFile(config, 2024));
    const text = dataText(file);
    const hash = (fx2: typeof fx) => roundHash(config, 2024, "", fx2);
    const original = await hash(fx);
    const resaved = gzipSync(Buffer.from(`\uFEFF${text.replace(/\n/g, "\r\n")}`, "utf8"), { level: 1 });
    expect(resaved.equals(readFileSync(join(root, file)))).toBe(false);
    expect(await hash(overlayEffects({ [file]: resaved }))).toBe(original);
    // the same line with one count more: another round
    const changed = replaceLine(text, 2, (l) => l.replace(/,(\d+)$/, (_, n: string) => `,${Number(n) + 1}`));
    expect(changed).not.toBe(text);
    expect(await hash(overlayEffects({ [file]: gzipSync(changed) }))).not.toBe(original);
  });
});

describe("a round's pattern is computed by one process at a time", () => {
  it("a second maker of the same file waits for the first, says so, and reads what it made instead of making it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bulletin-cache-"));
    // two makers with effects of their own (each takes the lock file through its own descriptor, as two processes do)
    const [a, b] = [0, 1].map(() => overlayEffects({}, { env: { ...process.env, BULLETIN_CACHE: dir } }));
    const file = (fx: Effects) => hashedCache<{ hash: string; by: string }>(fx, (h) => `round-2024-${h}.json`);
    let finish!: () => void;
    const first = file(a!).once("h1", "round-2024.lock", "the 2024 round's pattern", async () => {
      await new Promise<void>((r) => {
        finish = r;
      });
      return { hash: "h1", by: "first" };
    });
    await new Promise((r) => setTimeout(r, 50)); // the first holds the lock
    let secondMade = false;
    const second = file(b!).once("h1", "round-2024.lock", "the 2024 round's pattern", async () => {
      secondMade = true;
      return { hash: "h1", by: "second" };
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(b!.logs.join("\n")).toContain("waiting for another process making the 2024 round's pattern");
    finish();
    expect(await first).toEqual({ hash: "h1", by: "first" });
    expect(await second).toEqual({ hash: "h1", by: "first" });
    expect(secondMade).toBe(false);
    // another hash of the same year is made anew
    expect(await file(b!).once("h2", "round-2024.lock", "x", async () => ({ hash: "h2", by: "second" }))).toEqual({
      hash: "h2",
      by: "second",
    });
  });
});
