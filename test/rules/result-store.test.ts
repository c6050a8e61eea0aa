import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeEntry, encodeEntry, FileResultStore } from "../../src/rules/result-store.js";

const scratch = mkdtempSync(join(tmpdir(), "de-result-store-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const key = (n: number): string => n.toString(16).padStart(64, "0");

describe("result cache entries", () => {
  it("read back each part as written, and only under their own key", () => {
    const file = encodeEntry(key(1), { part: '{"a":"é"}', state: "[1,2]" });
    expect(decodeEntry(key(1), file)?.part("part")).toBe('{"a":"é"}');
    expect(decodeEntry(key(1), file)?.part("state")).toBe("[1,2]");
    expect(decodeEntry(key(1), file)?.part("other")).toBeUndefined();
    expect(decodeEntry(key(2), file)).toBeUndefined();
  });

  it("check each part on its own: a flipped byte in one leaves the other readable", () => {
    const file = encodeEntry(key(1), { part: "first part", state: "second part" });
    const at = file.indexOf("second part") + 3;
    file[at] = file[at]! ^ 0x01;
    const entry = decodeEntry(key(1), file);
    expect(entry?.part("part")).toBe("first part");
    expect(entry?.part("state")).toBeUndefined();
  });

  it("list their parts, and miss when the header or its length after it is damaged or cut", () => {
    const file = encodeEntry(key(1), { part: "first part", state: "second part" });
    expect(decodeEntry(key(1), file)?.names()).toEqual(["part", "state"]);
    const headerAt = file.lastIndexOf('"key"');
    for (const at of [headerAt + 1, file.length - 3, file.length - 1]) {
      const damaged = Buffer.from(file);
      damaged[at] = damaged[at]! ^ 0x01;
      expect(decodeEntry(key(1), damaged), `flipped at ${at}`).toBeUndefined();
    }
    for (const cut of [1, 12, file.length - 20]) expect(decodeEntry(key(1), file.subarray(0, file.length - cut)), `cut ${cut}`).toBeUndefined();
  });
});

describe("FileResultStore", () => {
  it("misses an absent entry and a file that is not an entry", () => {
    const dir = mkdtempSync(join(scratch, "miss-"));
    const store = new FileResultStore(dir);
    expect(store.get(key(1))).toBeUndefined();
    writeFileSync(join(dir, key(2)), "not an entry");
    expect(store.get(key(2))).toBeUndefined();
    expect(store.get("../escape")).toBeUndefined();
  });

  it("keeps the most recently used entries within its limits, and clears stale temporary files", () => {
    const dir = mkdtempSync(join(scratch, "prune-"));
    const now = Date.UTC(2026, 0, 10);
    const store = new FileResultStore(dir, { maxBytes: 1_000_000, maxEntries: 10 }, () => now);
    for (let n = 1; n <= 12; n++) {
      store.put(key(n), { part: `entry ${n}` });
      // Written an hour apart, oldest first.
      const at = new Date(now - (20 - n) * 3_600_000);
      utimesSync(join(dir, key(n)), at, at);
    }
    // Reading entry 1 makes it the most recently used.
    expect(store.get(key(1))?.part("part")).toBe("entry 1");
    expect(statSync(join(dir, key(1))).mtimeMs).toBe(now);
    writeFileSync(join(dir, `${key(99)}.123.abc.tmp`), "half");
    utimesSync(join(dir, `${key(99)}.123.abc.tmp`), new Date(now - 2 * 3_600_000), new Date(now - 2 * 3_600_000));
    writeFileSync(join(dir, `${key(98)}.124.abc.tmp`), "being written");
    utimesSync(join(dir, `${key(98)}.124.abc.tmp`), new Date(now), new Date(now));
    store.prune();
    // 12 entries over a limit of 10: down to 9, the three least recently used (2, 3, 4) out.
    const left = readdirSync(dir).sort();
    expect(left).toEqual([...[1, 5, 6, 7, 8, 9, 10, 11, 12].map(key), `${key(98)}.124.abc.tmp`].sort());
  });

  it("bounds the bytes too", () => {
    const dir = mkdtempSync(join(scratch, "bytes-"));
    const store = new FileResultStore(dir, { maxBytes: 5_000, maxEntries: 100 });
    for (let n = 1; n <= 10; n++) {
      store.put(key(n), { part: "x".repeat(900) });
      const at = new Date(Date.UTC(2026, 0, 1, n));
      utimesSync(join(dir, key(n)), at, at);
    }
    store.prune();
    const total = readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
    expect(total).toBeLessThanOrEqual(4_500);
    expect(readdirSync(dir)).toContain(key(10));
    expect(readdirSync(dir)).not.toContain(key(1));
  });

  it("writes an entry part by part to a temporary file, stored under the key given at commit; an aborted one leaves nothing", () => {
    const dir = mkdtempSync(join(scratch, "writer-"));
    const store = new FileResultStore(dir);
    const writer = store.writer();
    writer.add("a", "first");
    writer.add("b", [Buffer.from("sec"), Buffer.from("ond")]);
    expect(readdirSync(dir).every((name) => name.endsWith(".tmp"))).toBe(true);
    writer.commit(key(7));
    expect(readdirSync(dir)).toEqual([key(7)]);
    expect(store.get(key(7))?.part("a")).toBe("first");
    expect(store.get(key(7))?.part("b")).toBe("second");
    const aborted = store.writer();
    aborted.add("a", "never stored");
    aborted.abort();
    expect(readdirSync(dir)).toEqual([key(7)]);
    expect(() => store.writer().commit("../escape")).toThrow();
  });

  it("does not prune after a run that wrote nothing", () => {
    const dir = mkdtempSync(join(scratch, "untouched-"));
    new FileResultStore(dir).put(key(1), { part: "a" });
    new FileResultStore(dir).put(key(2), { part: "b" });
    const reader = new FileResultStore(dir, { maxBytes: 1, maxEntries: 1 });
    reader.get(key(1));
    reader.prune();
    expect(readdirSync(dir).length).toBe(2);
  });
});
