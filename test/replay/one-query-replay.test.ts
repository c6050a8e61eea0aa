import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../../src/config/repo-config.js";
import type { SourceFile } from "../../src/migrations/model.js";
import { createReplayRunner } from "../../src/replay/runner.js";
import { loadSqlParser } from "../../src/sql/parse.js";

await loadSqlParser();

/**
 * The replay runs a file the way its runner does: golang-migrate's file as one query (Postgres's
 * implicit transaction, test/sql/one-query-pglite.test.ts), unless x-multi-statement is set; each
 * pop file in a transaction of its own, a popx `.autocommit.` file outside one.
 */
const cacheDir = mkdtempSync(join(tmpdir(), "de-replay-one-query-"));
const runner = createReplayRunner({ env: {}, cacheDir });
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const config = (extra: Partial<RepoConfig> = {}): RepoConfig => ({
  ...DEFAULT_REPO_CONFIG,
  ...extra,
  replay: { ...DEFAULT_REPO_CONFIG.replay, enabled: true },
});

const CREATE = "CREATE TABLE orders (\n  id bigint PRIMARY KEY,\n  total numeric NOT NULL\n);\n";

function golang(up: string, down: string): SourceFile[] {
  return [
    { path: "db/migrations/000001_orders.up.sql", text: CREATE },
    { path: "db/migrations/000001_orders.down.sql", text: "DROP TABLE orders;\n" },
    { path: "db/migrations/000002_status.up.sql", text: up },
    { path: "db/migrations/000002_status.down.sql", text: down },
  ];
}

const changedOf = (files: readonly SourceFile[], part: string) => new Set(files.filter((f) => f.path.includes(part)).map((f) => f.path));

describe("replaying golang-migrate files as one query", () => {
  const files = golang(
    "ALTER TABLE orders ADD COLUMN status text;\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\n",
    "DROP INDEX orders_status_idx;\nALTER TABLE orders DROP COLUMN status;\n",
  );

  it("fails where golang-migrate fails: CONCURRENTLY beside another statement", async () => {
    const outcome = await runner.run({ files, changed: changedOf(files, "000002"), config: config() }, {});
    expect(outcome.status).toBe("replayed");
    expect(outcome.migrations).toMatchObject([{ up: "failed" }]);
    const failure = outcome.findings.find((f) => f.message.includes("25001"));
    expect([failure?.path, failure?.line]).toEqual(["db/migrations/000002_status.up.sql", 2]);
  }, 180_000);

  it("runs the statements one by one with x-multi-statement", async () => {
    const outcome = await runner.run({ files, changed: changedOf(files, "000002"), config: config({ golangMigrate: { multiStatement: true } }) }, {});
    expect(outcome.migrations).toMatchObject([{ up: "ok", down: "ok", restores: true, reapply: "ok" }]);
  }, 180_000);

  it("still traces the locks of a file without transaction control or CONCURRENTLY, in one transaction", async () => {
    const plain = golang(
      "ALTER TABLE orders ADD COLUMN status text;\nCREATE INDEX orders_status_idx ON orders (status);\n",
      "DROP INDEX orders_status_idx;\nALTER TABLE orders DROP COLUMN status;\n",
    );
    const outcome = await runner.run({ files: plain, changed: changedOf(plain, "000002"), config: config() }, {});
    expect(outcome.migrations).toMatchObject([{ up: "ok", down: "ok", restores: true, reapply: "ok", traced: 2, untraceable: 0 }]);
  }, 180_000);
});

describe("replaying pop files, each in a transaction", () => {
  const dir = "persistence/sql/migrations";
  const base: SourceFile[] = [
    { path: `${dir}/20240101000000000000_orders.postgres.up.sql`, text: CREATE },
    { path: `${dir}/20240101000000000000_orders.postgres.down.sql`, text: "" },
    { path: `${dir}/20240101000000000001_orders.postgres.up.sql`, text: "CREATE INDEX orders_total_idx ON orders (total);\n" },
    { path: `${dir}/20240101000000000001_orders.postgres.down.sql`, text: "DROP TABLE orders;\n" },
  ];

  it("restores the schema with the group's downs, newest first", async () => {
    const outcome = await runner.run({ files: base, changed: changedOf(base, "2024"), config: config() }, {});
    expect(outcome.migrations).toMatchObject([{ up: "ok", down: "ok", restores: true, reapply: "ok" }]);
  }, 180_000);

  it("refuses CONCURRENTLY in pop's transaction, not in a popx autocommit file", async () => {
    const index = (name: string): SourceFile[] => [
      ...base,
      { path: `${dir}/20240202000000000000_total_idx.${name}.up.sql`, text: "CREATE INDEX CONCURRENTLY orders_total2_idx ON orders (total);\n" },
      { path: `${dir}/20240202000000000000_total_idx.${name}.down.sql`, text: "DROP INDEX CONCURRENTLY orders_total2_idx;\n" },
    ];
    const wrapped = index("postgres");
    const refused = await runner.run({ files: wrapped, changed: changedOf(wrapped, "20240202"), config: config() }, {});
    expect(refused.migrations).toMatchObject([{ up: "failed" }]);
    expect(refused.findings.some((f) => f.message.includes("25001"))).toBe(true);
    const autocommit = index("postgres.autocommit");
    const ran = await runner.run({ files: autocommit, changed: changedOf(autocommit, "20240202"), config: config() }, {});
    expect(ran.migrations).toMatchObject([{ up: "ok", down: "ok", restores: true, reapply: "ok" }]);
  }, 180_000);
});
