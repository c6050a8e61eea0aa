import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG } from "../../src/config/repo-config.js";
import { detectMigrations } from "../../src/migrations/detect.js";
import type { SourceFile } from "../../src/migrations/model.js";
import { analyse, useAnalysisCache } from "../../src/review/analyse.js";
import { analysisKey, type ReviewAnalysisCache } from "../../src/review/analysis-cache.js";
import { decodeEntry, encodeEntry, type ResultStore } from "../../src/rules/result-store.js";
import type { AnalysisResult } from "../../src/rules/engine.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { deserialize, serialize } from "node:v8";

await loadSqlParser();

/** Entries in memory, in the file format (a damaged one decodes as the file store would decode it). */
class MemoryStore implements ResultStore {
  readonly files = new Map<string, Buffer>();
  get(key: string) {
    const file = this.files.get(key);
    return file ? decodeEntry(key, file) : undefined;
  }
  put(key: string, parts: Readonly<Record<string, string | Uint8Array>>): void {
    this.files.set(key, encodeEntry(key, parts));
  }
}

const files: SourceFile[] = [
  { path: "db/migrations/000001_orders.up.sql", text: "CREATE TABLE orders (id bigint PRIMARY KEY, note text);\n" },
  { path: "db/migrations/000001_orders.down.sql", text: "DROP TABLE orders;\n" },
  {
    path: "db/migrations/000002_index.up.sql",
    text: "ALTER TABLE orders ADD COLUMN state text NOT NULL DEFAULT 'new';\nCREATE INDEX idx_orders_state ON orders (state);\nALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n",
  },
  { path: "db/migrations/000002_index.down.sql", text: "DROP INDEX idx_orders_state;\n" },
];
const migrations = detectMigrations(files);

/**
 * What the review reads of an analysis, as plain data: every finding, and each statement's text,
 * kind, lines, locks and which relations the migration created before it.
 */
function readable(result: AnalysisResult): unknown {
  return JSON.parse(
    JSON.stringify({
      findings: result.findings,
      migrations: result.migrations.map((m) => ({
        migration: m.migration,
        sections: m.sections.map((s) => ({
          section: s.section,
          statements: s.statements.map((st) => ({
            text: st.text,
            kind: st.kind,
            line: st.line,
            endLine: st.endLine,
            locks: st.locks,
            created: ["orders", "public.orders"].map((name) => st.createdRelations.has(name)),
          })),
        })),
      })),
    }),
  ) as unknown;
}

afterEach(() => useAnalysisCache(undefined));

describe("the review's analysis through the result cache", () => {
  it("answers a second analysis of the same migrations from its entry, the same as without the cache", async () => {
    const uncached = await analyse(files, migrations, DEFAULT_REPO_CONFIG);
    const store = new MemoryStore();
    useAnalysisCache({ store, toolVersion: "test" });
    const cold = await analyse(files, migrations, DEFAULT_REPO_CONFIG);
    expect(store.files.size).toBe(1);
    const warm = await analyse(files, migrations, DEFAULT_REPO_CONFIG);
    expect(readable(cold)).toEqual(readable(uncached));
    expect(readable(warm)).toEqual(readable(uncached));
    expect(warm.notReviewed).toEqual([]);
    expect(uncached.findings.length).toBeGreaterThan(0);
  });

  it("is answered by the entry (a finding rewritten under its key shows through)", async () => {
    const store = new MemoryStore();
    const cache: ReviewAnalysisCache = { store, toolVersion: "test" };
    useAnalysisCache(cache);
    await analyse(files, migrations, DEFAULT_REPO_CONFIG);
    const key = analysisKey(cache, files, migrations, DEFAULT_REPO_CONFIG);
    const slices = deserialize(store.get(key)!.partBytes("analysis")!) as Array<{ kind: string; findings?: Array<{ message: string }> }>;
    for (const slice of slices) for (const finding of slice.findings ?? []) finding.message = "from the cache";
    store.put(key, { analysis: serialize(slices) });
    const warm = await analyse(files, migrations, DEFAULT_REPO_CONFIG);
    expect(warm.findings.map((f) => f.message)).toContain("from the cache");
  });

  it("misses when a file, the configuration or the build changes", () => {
    const cache: ReviewAnalysisCache = { store: new MemoryStore(), toolVersion: "test" };
    const key = analysisKey(cache, files, migrations, DEFAULT_REPO_CONFIG);
    const edited = files.map((f, i) => (i === 2 ? { ...f, text: `${f.text}\n` } : f));
    expect(analysisKey(cache, edited, detectMigrations(edited), DEFAULT_REPO_CONFIG)).not.toBe(key);
    expect(analysisKey(cache, files, migrations, { ...DEFAULT_REPO_CONFIG, postgresVersion: 11 })).not.toBe(key);
    expect(analysisKey({ ...cache, toolVersion: "test2" }, files, migrations, DEFAULT_REPO_CONFIG)).not.toBe(key);
  });

  it("analyses again from a damaged entry: flipped byte, truncated, emptied, another key's", async () => {
    const uncached = readable(await analyse(files, migrations, DEFAULT_REPO_CONFIG));
    const damages: Record<string, (file: Buffer, store: MemoryStore) => Buffer> = {
      "a flipped byte": (file) => {
        const copy = Buffer.from(file);
        copy[copy.length - 10] = copy[copy.length - 10]! ^ 0x01;
        return copy;
      },
      truncated: (file) => file.subarray(0, Math.floor(file.length / 2)),
      emptied: () => Buffer.alloc(0),
      "another key's": () => encodeEntry("0".repeat(64), { analysis: serialize([]) }),
    };
    for (const [what, damage] of Object.entries(damages)) {
      const store = new MemoryStore();
      const cache: ReviewAnalysisCache = { store, toolVersion: "test" };
      useAnalysisCache(cache);
      await analyse(files, migrations, DEFAULT_REPO_CONFIG);
      const key = analysisKey(cache, files, migrations, DEFAULT_REPO_CONFIG);
      store.files.set(key, damage(store.files.get(key)!, store));
      expect(readable(await analyse(files, migrations, DEFAULT_REPO_CONFIG)), what).toEqual(uncached);
      // The damaged entry was replaced by a whole one.
      expect(store.get(key)?.partBytes("analysis"), what).toBeDefined();
    }
  });
});
