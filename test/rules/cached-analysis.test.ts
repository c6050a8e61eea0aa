import { describe, expect, it } from "vitest";
import { DEFAULT_ANALYSIS_CONFIG, type AnalysisConfig } from "../../src/config/analysis-config.js";
import { detectMigrations, detectOptionsOf } from "../../src/migrations/detect.js";
import type { SourceFile } from "../../src/migrations/model.js";
import { analyzeMigrationsCached, canonicalJson, migrationKeys, type CachedAnalysisOptions } from "../../src/rules/cached-analysis.js";
import { Analysis, analyzeMigrations, analyzeOnce } from "../../src/rules/engine.js";
import { RULES } from "../../src/rules/index.js";
import { MAX_PACKS, MigrationPacks, type PackedMigration } from "../../src/rules/migration-packs.js";
import { decodeEntry, encodeEntry, type PartContent, type ResultStore } from "../../src/rules/result-store.js";
import { loadSqlParser } from "../../src/sql/parse.js";

/** The entries in memory, in the file format (so a damaged one is decoded as the file store would). */
class MemoryStore implements ResultStore {
  readonly files = new Map<string, Buffer>();
  get(key: string) {
    const file = this.files.get(key);
    return file ? decodeEntry(key, file) : undefined;
  }
  put(key: string, parts: Readonly<Record<string, PartContent>>): void {
    this.files.set(key, encodeEntry(key, parts));
  }
}

/** Each migration's parts as the packs of `store` hold them (by migration key), copied. */
function storedParts(store: ResultStore, keys: readonly string[]): Array<PackedMigration | undefined> {
  const packs = new MigrationPacks(store, keys[0] ?? "");
  return keys.map((key) => {
    const found = packs.find(key);
    if (!found) return undefined;
    const parts: Record<string, Buffer> = {};
    for (const name of found.entry.names()) parts[name] = Buffer.from(found.entry.partBytes(name) ?? Buffer.alloc(0));
    return { key, parts };
  });
}

/** A store holding only these migrations' parts (in one pack and its manifest). */
function storeWith(migrations: ReadonlyArray<PackedMigration | undefined>, firstKey: string): MemoryStore {
  const store = new MemoryStore();
  const pack = new MigrationPacks(store, firstKey).begin([]);
  for (const migration of migrations) if (migration) pack.add(migration);
  pack.finish();
  return store;
}

/** Where a part lies in a pack's file: its first byte's offset. */
function partOffset(file: Buffer, name: string): number {
  // The magic line, the parts, the header, then "\n", the header's length in 10 digits, "\n".
  const bodyStart = file.indexOf("\n") + 1;
  const headerEnd = file.length - 12;
  const headerStart = headerEnd - Number(file.subarray(headerEnd + 1, file.length - 1).toString("latin1"));
  const header = JSON.parse(file.subarray(headerStart, headerEnd).toString("utf8")) as { parts: Record<string, { offset: number }> };
  const where = header.parts[name];
  if (!where) throw new Error(`no part ${name}`);
  return bodyStart + where.offset;
}

/** The packs the store's manifest lists (the manifest: the entry with a "packs" part). */
const listedPacks = (store: MemoryStore): string[] =>
  JSON.parse([...store.files.keys()].map((key) => store.get(key)?.part("packs")).find((list) => list !== undefined) ?? "[]") as string[];

/** The key of the store's only pack (the entry with migrations' parts, not the manifest). */
const packKeyOf = (store: MemoryStore): string =>
  [...store.files.keys()].find((key) =>
    store
      .get(key)
      ?.names()
      .some((n) => n.includes("/")),
  ) ?? "";

/**
 * Later migrations that read what earlier ones taught the facts: a DROP INDEX names its table only
 * through SchemaFacts, a varchar widening is free only when the old type is known, SET NOT NULL
 * skips its scan after a validated check (NotNullFacts), a down's DROP VIEW … CASCADE takes the
 * views built on it (ObjectDependencies).
 */
const FOLDER: Record<string, string> = {
  "db/000001_create.up.sql": [
    "CREATE TABLE accounts (id bigint PRIMARY KEY);",
    "CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts (id), note varchar(10));",
    "CREATE INDEX orders_account_idx ON orders (account_id);",
    "ALTER TABLE orders ADD CONSTRAINT orders_note_nn CHECK (note IS NOT NULL) NOT VALID;",
    "CREATE VIEW order_notes AS SELECT id, note FROM orders;",
    "CREATE MATERIALIZED VIEW order_counts AS SELECT count(*) FROM order_notes;",
  ].join("\n"),
  "db/000001_create.down.sql": "DROP TABLE orders;\nDROP TABLE accounts;\n",
  "db/000002_validate.up.sql": "ALTER TABLE orders VALIDATE CONSTRAINT orders_note_nn;\n",
  "db/000002_validate.down.sql": "SELECT 1;\n",
  "db/000003_change.up.sql": [
    "SET lock_timeout = '2s';",
    "DROP INDEX orders_account_idx;",
    "ALTER TABLE orders ALTER COLUMN note TYPE varchar(20);",
    "ALTER TABLE orders ALTER COLUMN note SET NOT NULL;",
    "ALTER TABLE orders ADD CONSTRAINT orders_account_fk2 FOREIGN KEY (account_id) REFERENCES accounts (id);",
  ].join("\n"),
  "db/000003_change.down.sql": "DROP VIEW order_notes CASCADE;\n",
  "db/000004_ignored.up.sql":
    "-- data-engineer-ignore ban-drop-column\nALTER TABLE orders DROP COLUMN note;\n-- data-engineer-ignore ban-truncate\nSELECT 1;\n",
  "db/000004_ignored.down.sql": "ALTER TABLE orders ADD COLUMN note text;\n",
};

function folder(overrides: Record<string, string> = {}): { files: SourceFile[]; config: AnalysisConfig } {
  const texts = { ...FOLDER, ...overrides };
  const files = Object.entries(texts).map(([path, text]) => ({ path, text }));
  return { files, config: DEFAULT_ANALYSIS_CONFIG };
}

function migrationsOf(files: SourceFile[], config = DEFAULT_ANALYSIS_CONFIG) {
  return detectMigrations(files, detectOptionsOf(config));
}

function options(store: ResultStore, extra: Partial<CachedAnalysisOptions<unknown>> = {}): CachedAnalysisOptions<unknown> {
  return { store, toolVersion: "test", config: DEFAULT_ANALYSIS_CONFIG, ...extra };
}

describe("the result cache over the engine", () => {
  it("gives the engine's findings cold, and the same findings from hits, without loading the parser", async () => {
    await loadSqlParser();
    const { files } = folder();
    const migrations = migrationsOf(files);
    expect(migrations.length).toBe(4);
    const direct = analyzeMigrations(files, migrations);
    expect(direct.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(["unused-ignore"]));

    const store = new MemoryStore();
    let loads = 0;
    const counting = () => {
      loads++;
      return loadSqlParser();
    };
    const cold = await analyzeMigrationsCached(files, migrations, options(store, { loadParser: counting }));
    expect(cold.findings).toEqual(direct.findings);
    expect(cold.migrations.map((m) => m.hit)).toEqual([false, false, false, false]);
    expect(loads).toBe(1);
    // One pack of the four migrations' parts and the manifest that lists it: two files, not four.
    expect(store.files.size).toBe(2);

    const warm = await analyzeMigrationsCached(files, migrations, options(store, { loadParser: counting }));
    expect(warm.migrations.map((m) => m.hit)).toEqual([true, true, true, true]);
    expect(JSON.stringify(warm.findings)).toBe(JSON.stringify(direct.findings));
    expect(loads).toBe(1);
  });

  it("restores the facts after any migration: analysing the rest from them gives a cold run's findings", async () => {
    await loadSqlParser();
    const { files } = folder();
    const migrations = migrationsOf(files);
    const direct = analyzeMigrations(files, migrations);
    const full = new MemoryStore();
    await analyzeMigrationsCached(files, migrations, options(full, { stateEvery: 1 }));
    const keys = migrationKeys(files, migrations, options(full));
    const parts = storedParts(full, keys);
    for (let kept = 1; kept < migrations.length; kept++) {
      // Only the first `kept` entries: the rest is analysed from the facts restored from entry kept-1.
      const partial = storeWith(parts.slice(0, kept), keys[0]!);
      const result = await analyzeMigrationsCached(files, migrations, options(partial));
      expect(result.migrations.map((m) => m.hit)).toEqual(migrations.map((_, i) => i < kept));
      expect(JSON.stringify(result.findings)).toBe(JSON.stringify(direct.findings));
    }
  });

  it("needs those facts: the later migrations analysed from empty facts say something else", async () => {
    await loadSqlParser();
    const { files } = folder();
    const migrations = migrationsOf(files);
    const after = (restore: boolean): string => {
      const config = DEFAULT_ANALYSIS_CONFIG;
      const earlier = new Analysis(new Map(files.map((f) => [f.path, f.text])), config, RULES);
      for (const migration of migrations.slice(0, 2)) earlier.analyzeMigration(migration);
      const later = new Analysis(new Map(files.map((f) => [f.path, f.text])), config, RULES);
      if (restore) later.restore(JSON.parse(JSON.stringify(earlier.state())) as ReturnType<Analysis["state"]>);
      for (const migration of migrations.slice(2)) later.analyzeMigration(migration);
      return JSON.stringify(later.finish());
    };
    // Without the fix check, which this raw use of Analysis does not run.
    const cold = analyzeOnce(files, migrations, {}).findings.filter((f) => !f.path.includes("000001_") && !f.path.includes("000002_"));
    expect(after(true)).toBe(JSON.stringify(cold));
    expect(after(false)).not.toBe(after(true));
  });

  it("chains the keys: a change to one migration misses it and every one after, and only those", async () => {
    await loadSqlParser();
    const before = folder();
    const store = new MemoryStore();
    await analyzeMigrationsCached(before.files, migrationsOf(before.files), options(store, { stateEvery: 1 }));
    const changed = folder({ "db/000002_validate.up.sql": "ALTER TABLE orders  VALIDATE CONSTRAINT orders_note_nn;\n" });
    const migrations = migrationsOf(changed.files);
    const result = await analyzeMigrationsCached(changed.files, migrations, options(store));
    expect(result.migrations.map((m) => m.hit)).toEqual([true, false, false, false]);
    expect(result.findings).toEqual(analyzeMigrations(changed.files, migrations).findings);
  });

  it("keeps the facts of every n-th migration and the last: a miss analyses again from the nearest", async () => {
    await loadSqlParser();
    const { files } = folder();
    const migrations = migrationsOf(files);
    const full = new MemoryStore();
    await analyzeMigrationsCached(files, migrations, options(full, { stateEvery: 2 }));
    const keys = migrationKeys(files, migrations, options(full));
    const parts = storedParts(full, keys);
    expect(parts.map((m) => m?.parts.state !== undefined)).toEqual([false, true, false, true]);
    const partial = storeWith(parts.slice(0, 3), keys[0]!);
    const result = await analyzeMigrationsCached(files, migrations, options(partial, { stateEvery: 2 }));
    // The fourth misses; the third has no facts stored, so it is analysed again from the second's.
    expect(result.migrations.map((m) => m.hit)).toEqual([true, true, false, false]);
    expect(JSON.stringify(result.findings)).toBe(JSON.stringify(analyzeMigrations(files, migrations).findings));
  });

  it("re-analyses only a migration added at the end", async () => {
    await loadSqlParser();
    const before = folder();
    const store = new MemoryStore();
    await analyzeMigrationsCached(before.files, migrationsOf(before.files), options(store));
    const added = folder({
      "db/000005_more.up.sql": "CREATE INDEX orders_note_idx ON orders (note);\n",
      "db/000005_more.down.sql": "DROP INDEX orders_note_idx;\n",
    });
    const migrations = migrationsOf(added.files);
    let loads = 0;
    const result = await analyzeMigrationsCached(added.files, migrations, options(store, { loadParser: () => (loads++, loadSqlParser()) }));
    expect(result.migrations.map((m) => m.hit)).toEqual([true, true, true, true, false]);
    expect(loads).toBe(1);
    expect(result.findings).toEqual(analyzeMigrations(added.files, migrations).findings);
    expect(result.findings.some((f) => f.rule === "require-concurrent-index" && f.path === "db/000005_more.up.sql")).toBe(true);
  });

  it("writes one pack per run that analyses: a migration added at the end in a pack of its own, listed beside the first", async () => {
    await loadSqlParser();
    const before = folder();
    const store = new MemoryStore();
    await analyzeMigrationsCached(before.files, migrationsOf(before.files), options(store));
    const firstPack = packKeyOf(store);
    const added = folder({
      "db/000005_more.up.sql": "CREATE INDEX orders_note_idx ON orders (note);\n",
      "db/000005_more.down.sql": "DROP INDEX orders_note_idx;\n",
    });
    const migrations = migrationsOf(added.files);
    const keys = migrationKeys(added.files, migrations, options(store));
    await analyzeMigrationsCached(added.files, migrations, options(store));
    // The first pack as it was, a second with the new migration's parts only, the manifest listing both.
    expect(store.files.size).toBe(3);
    const newPack = [...store.files.keys()].find((key) => key !== firstPack && store.get(key)?.part("packs") === undefined)!;
    expect(
      new Set(
        store
          .get(newPack)
          ?.names()
          .map((name) => name.split("/")[0]),
      ),
    ).toEqual(new Set([keys[4]]));
    expect(listedPacks(store).sort()).toEqual([firstPack, newPack].sort());
    // A run of hits writes nothing.
    const files = new Map(store.files);
    const warm = await analyzeMigrationsCached(added.files, migrations, options(store));
    expect(warm.migrations.every((m) => m.hit)).toBe(true);
    expect(store.files).toEqual(files);
  });

  it(`lists at most ${MAX_PACKS} packs: past them, the hits' parts are copied into the new pack`, async () => {
    await loadSqlParser();
    const store = new MemoryStore();
    let texts: Record<string, string> = {};
    for (let n = 5; n <= 5 + MAX_PACKS + 1; n++) {
      texts = {
        ...texts,
        [`db/0000${n.toString().padStart(2, "0")}_more.up.sql`]: `CREATE INDEX orders_idx_${n} ON orders (note);\n`,
        [`db/0000${n.toString().padStart(2, "0")}_more.down.sql`]: `DROP INDEX orders_idx_${n};\n`,
      };
      const { files } = folder(texts);
      const migrations = migrationsOf(files);
      const result = await analyzeMigrationsCached(files, migrations, options(store));
      expect(result.findings).toEqual(analyzeMigrations(files, migrations).findings);
      expect(listedPacks(store).length).toBeLessThanOrEqual(MAX_PACKS);
      if (n > 5) expect(result.migrations.map((m) => m.hit)).toEqual(migrations.map((_, i) => i < migrations.length - 1));
    }
    // The compacted pack answers for every migration before the last run's.
    const { files } = folder(texts);
    const warm = await analyzeMigrationsCached(files, migrationsOf(files), options(store));
    expect(warm.migrations.every((m) => m.hit)).toBe(true);
    expect(listedPacks(store).length).toBeLessThan(MAX_PACKS);
  });

  it("misses on another config, Postgres version, rule set or tool version", async () => {
    await loadSqlParser();
    const { files } = folder();
    const migrations = migrationsOf(files);
    const store = new MemoryStore();
    await analyzeMigrationsCached(files, migrations, options(store));
    const variants: Array<Partial<CachedAnalysisOptions<unknown>>> = [
      { config: { ...DEFAULT_ANALYSIS_CONFIG, postgresVersion: 11 } },
      { config: { ...DEFAULT_ANALYSIS_CONFIG, rules: { "ban-drop-column": "off" } } },
      { rules: RULES.filter((rule) => rule.id !== "ban-drop-column") },
      { toolVersion: "test2" },
    ];
    for (const variant of variants) {
      const result = await analyzeMigrationsCached(files, migrations, options(store, variant));
      expect(result.migrations.map((m) => m.hit)).toEqual([false, false, false, false]);
      const direct = analyzeMigrations(files, migrations, {
        ...(variant.config ? { config: variant.config } : {}),
        ...(variant.rules ? { rules: variant.rules } : {}),
      });
      expect(result.findings).toEqual(direct.findings);
    }
  });

  it("keys config objects by content, not by the order of their keys", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { e: 3, f: 2 }] }, b: 1 }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 2 }));
  });

  it("treats damaged entries as misses: flipped, truncated, swapped, emptied, or the facts a miss needs", async () => {
    await loadSqlParser();
    const { files } = folder();
    const migrations = migrationsOf(files);
    const expected = JSON.stringify(analyzeMigrations(files, migrations).findings);
    const clean = new MemoryStore();
    await analyzeMigrationsCached(files, migrations, options(clean, { stateEvery: 1 }));
    const keys = migrationKeys(files, migrations, options(clean));
    const parts = storedParts(clean, keys);
    const pack = packKeyOf(clean);
    const manifest = [...clean.files.keys()].find((key) => key !== pack)!;
    const flip = (store: MemoryStore, part: string, by: number) => {
      const file = store.files.get(packKeyOf(store))!;
      const at = partOffset(file, part) + by;
      file[at] = file[at]! ^ 0x01;
    };
    const damages: Record<string, (store: MemoryStore) => MemoryStore> = {
      "a flipped byte in a finding": (store) => (flip(store, `${keys[2]}/part`, 20), store),
      "a flipped byte in the facts a miss starts from": () => {
        // Only the first two migrations stored, the second's facts damaged: the third starts from them.
        const store = storeWith(parts.slice(0, 2), keys[0]!);
        flip(store, `${keys[1]}/state`, 10);
        return store;
      },
      "the pack truncated": (store) => {
        const file = store.files.get(pack)!;
        store.files.set(pack, file.subarray(0, Math.floor(file.length / 2)));
        return store;
      },
      "the pack's last byte cut (its trailer)": (store) => {
        const file = store.files.get(pack)!;
        store.files.set(pack, file.subarray(0, file.length - 1));
        return store;
      },
      "the pack and its manifest swapped": (store) => {
        const [a, b] = [store.files.get(pack)!, store.files.get(manifest)!];
        store.files.set(pack, b);
        store.files.set(manifest, a);
        return store;
      },
      "the pack emptied": (store) => (store.files.set(pack, Buffer.alloc(0)), store),
      "the manifest emptied": (store) => (store.files.set(manifest, Buffer.alloc(0)), store),
      "the pack gone": (store) => (store.files.delete(pack), store),
      "a header naming another key": (store) => (
        store.files.set(pack, Buffer.from(store.files.get(pack)!.toString("latin1").replace(pack, manifest), "latin1")),
        store
      ),
      "a part's name naming another migration": (store) => (
        store.files.set(pack, Buffer.from(store.files.get(pack)!.toString("latin1").replace(`${keys[2]}/part`, `${keys[3]}/part`), "latin1")),
        store
      ),
    };
    for (const [name, damage] of Object.entries(damages)) {
      const copy = new MemoryStore();
      for (const [key, file] of clean.files) copy.files.set(key, Buffer.from(file));
      const store = damage(copy);
      const result = await analyzeMigrationsCached(files, migrations, options(store));
      expect(JSON.stringify(result.findings), name).toBe(expected);
      expect(
        result.migrations.some((m) => !m.hit),
        name,
      ).toBe(true);
    }
  });
});
