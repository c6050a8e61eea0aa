import { describe, expect, it } from "vitest";
import { AnalysisConfigSchema } from "../../../src/config/analysis-config.js";
import { detectMigrations } from "../../../src/migrations/detect.js";
import { popFramework } from "../../../src/migrations/frameworks/pop.js";
import type { SourceFile } from "../../../src/migrations/model.js";
import { analyzeMigrations } from "../../../src/rules/engine.js";
import { loadSqlParser } from "../../../src/sql/parse.js";
import { loadFixture } from "./load-fixture.js";
import { byVersion, describeSections } from "./summaries.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

const DIR = "persistence/sql/migrations";

describe("pop", () => {
  const files = loadFixture("frameworks/pop");
  const migrations = detectMigrations(files);

  it("reads one migration per version group, for Postgres, each file in a transaction", () => {
    expect(migrations.map((m) => [m.framework, m.version, m.name])).toEqual([
      ["pop", "20210101000000000000", "identities"],
      ["pop", "20210202000000000000", "add_state"],
      ["pop", "20210303000000000000", "add_name"],
    ]);
    // Ups in version order, downs newest first; the blank down of the first version runs nothing
    // beside the group's real down, so it is a file of the migration but no section.
    const group = byVersion(migrations, "20210101000000000000");
    expect(describeSections(group)).toEqual([
      `up ${DIR}/20210101000000000000_identities.postgres.up.sql L1-4 tx`,
      `up ${DIR}/20210101000000000001_identities.postgres.up.sql L1-1 tx`,
      `down ${DIR}/20210101000000000001_identities.postgres.down.sql L1-1 tx`,
    ]);
    expect(group.files).toContain(`${DIR}/20210101000000000000_identities.postgres.down.sql`);
    expect(group.files.some((path) => path.includes(".mysql."))).toBe(false);
  });

  it("serves a Postgres up with the down written for every dialect", () => {
    expect(describeSections(byVersion(migrations, "20210202000000000000"))).toEqual([
      `up ${DIR}/20210202000000000000_add_state.postgres.up.sql L1-1 tx`,
      `down ${DIR}/20210202000000000000_add_state.down.sql L1-1 tx`,
    ]);
  });

  it("claims every file of its folder, other dialects and fizz included, and reads neither", () => {
    const result = popFramework.detect(files);
    expect(result.claimed.sort()).toEqual(files.map((f) => f.path).sort());
    const read = new Set(result.migrations.flatMap((m) => m.sections.map((s) => s.path)));
    expect([...read].filter((path) => /\.(mysql|sqlite3)\.|\.fizz$/.test(path))).toEqual([]);
  });

  it("judges rollbacks on the group: no missing or mismatched down where the group's downs undo its ups", () => {
    const config = AnalysisConfigSchema.parse({});
    const { findings } = analyzeMigrations(files, migrations, { config });
    const rollback = findings.filter((f) => f.category === "rollback").map((f) => `${f.rule} ${f.path.slice(DIR.length + 1)}`);
    // Only the real gap: add_name has no down for Postgres (its sqlite3 down would not count either).
    expect(rollback).toEqual(["missing-rollback 20210303000000000000_add_name.up.sql"]);
  });

  it("is not what a folder of golang-migrate pairs is read as", () => {
    const golang: SourceFile[] = [
      { path: "db/migrations/000001_users.up.sql", text: "CREATE TABLE users (id bigint);\n" },
      { path: "db/migrations/000001_users.down.sql", text: "DROP TABLE users;\n" },
    ];
    expect(detectMigrations(golang).map((m) => m.framework)).toEqual(["golang-migrate"]);
    expect(detectMigrations(golang, { framework: "pop" }).map((m) => [m.framework, describeSections(m)])).toEqual([
      ["pop", ["up db/migrations/000001_users.up.sql L1-1 tx", "down db/migrations/000001_users.down.sql L1-1 tx"]],
    ]);
  });
});

describe("pop transactions", () => {
  const files = loadFixture("pop-autocommit");
  const migrations = detectMigrations(files);
  const config = AnalysisConfigSchema.parse({});
  const { findings } = analyzeMigrations(files, migrations, { config });
  const of = (rule: string) => findings.filter((f) => f.rule === rule);

  it("runs a popx `.autocommit.` file outside a transaction, every other file in one", () => {
    expect(describeSections(byVersion(migrations, "20240202000000000000"))).toEqual([
      "up migrations/20240202000000000000_status_idx.postgres.autocommit.up.sql L1-1 no-tx",
      "down migrations/20240202000000000000_status_idx.postgres.autocommit.down.sql L1-1 no-tx",
    ]);
    expect(describeSections(byVersion(migrations, "20240303000000000000"))[0]).toMatch(/ tx$/);
  });

  it("refuses CONCURRENTLY in pop's transaction and names the autocommit file", () => {
    expect(of("concurrently-in-transaction").map((f) => [f.path, f.line])).toEqual([["migrations/20240303000000000000_id_status_idx.postgres.up.sql", 1]]);
    expect(of("concurrently-in-transaction")[0]?.help).toContain(".postgres.autocommit.up.sql");
  });

  it("advises CONCURRENTLY in pop's terms, without a fix that pop's transaction would refuse", () => {
    const [index] = of("require-concurrent-index");
    expect(index?.path).toBe("migrations/20240404000000000000_id_idx.postgres.up.sql");
    expect(index?.help).toContain("autocommit");
    expect(index?.fix).toBeUndefined();
  });

  it("says nothing about running outside a transaction where pop wraps the file", () => {
    expect(of("require-if-not-exists").map((f) => f.path)).toEqual([]);
  });
});
