import { describe, expect, it } from "vitest";
import { memoryEffects } from "../src/effects.ts";
import { KEEP_ON_REBUILD, publishFolder } from "../src/publish/publish.ts";

/** Atomic publication, on in-memory files: what a rebuild replaces, keeps, leaves alone, and how it fails. */
const text = (fx: ReturnType<typeof memoryEffects>, p: string) => new TextDecoder().decode(fx.files.get(p));

describe("publishFolder (in-memory effects)", () => {
  it("replaces the folder's files and keeps the ledger, the outbox and the other areas", async () => {
    const fx = memoryEffects({
      files: {
        "out/2024/en/bulletin.html": "old",
        "out/2024/en/stale.txt": "from an earlier layout",
        "out/2024/send-ledger.jsonl": '{"messageId":"<a>"}\n',
        "out/2024/outbox/en/x.eml": "eml",
        "out/2024/areas/10000/en/bulletin.html": "province",
      },
    });
    const r = await publishFolder(fx, "out/2024", [{ path: "en/bulletin.html", data: "new" }], KEEP_ON_REBUILD);
    expect(r).toBe("published");
    expect(text(fx, "out/2024/en/bulletin.html")).toBe("new");
    expect(fx.files.has("out/2024/en/stale.txt")).toBe(false);
    expect(text(fx, "out/2024/send-ledger.jsonl")).toContain("<a>");
    expect(text(fx, "out/2024/outbox/en/x.eml")).toBe("eml");
    expect(text(fx, "out/2024/areas/10000/en/bulletin.html")).toBe("province");
    expect([...fx.files.keys()].filter((k) => k.includes("staging"))).toEqual([]);
  });

  it("a rebuild with the same bytes says so and touches nothing", async () => {
    const files = [{ path: "en/bulletin.html", data: "same" }];
    const fx = memoryEffects({ files: { "out/2024/en/bulletin.html": "same", "out/2024/send-ledger.jsonl": "x" } });
    let writes = 0;
    const counting = {
      ...fx,
      writeFile: async (p: string, d: string | Uint8Array) => {
        writes++;
        return fx.writeFile(p, d);
      },
    };
    expect(await publishFolder(counting, "out/2024", files, KEEP_ON_REBUILD)).toBe("unchanged");
    expect(writes).toBe(0);
    // one more file is a change
    expect(
      await publishFolder(counting, "out/2024", [...files, { path: "en/new.csv", data: "1" }], KEEP_ON_REBUILD),
    ).toBe("published");
  });

  it("a failure while writing leaves the previous folder as it was and no staging folder", async () => {
    const fx = memoryEffects({ files: { "out/2024/en/bulletin.html": "old", "out/2024/send-ledger.jsonl": "x" } });
    const failing = {
      ...fx,
      writeFile: async (p: string, d: string | Uint8Array) => {
        if (p.endsWith("bulletin.pdf")) throw new Error("disk full");
        return fx.writeFile(p, d);
      },
    };
    await expect(
      publishFolder(
        failing,
        "out/2024",
        [
          { path: "en/bulletin.html", data: "new" },
          { path: "en/bulletin.pdf", data: "%PDF" },
        ],
        KEEP_ON_REBUILD,
      ),
    ).rejects.toThrow("disk full");
    expect([...fx.files.keys()].sort()).toEqual(["out/2024/en/bulletin.html", "out/2024/send-ledger.jsonl"]);
    expect(text(fx, "out/2024/en/bulletin.html")).toBe("old");
  });
});
