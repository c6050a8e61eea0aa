import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ANALYSIS_CONFIG } from "../../src/config/analysis-config.js";
import { detectMigrations } from "../../src/migrations/detect.js";
import type { SourceFile } from "../../src/migrations/model.js";
import { analyzeMigrations, type AnalysisResult } from "../../src/rules/engine.js";
import { applyFix } from "../../src/rules/fix-check.js";
import type { Finding } from "../../src/rules/types.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { resetSchema, runLikeRunner, stepsOf } from "../helpers/runner-mode.js";

/**
 * Fixes are offered only when complete and valid where the migration runs: CONCURRENTLY carries
 * the runner's way out of its transaction when that way is written in the same file, and is
 * advice only where it is not (another file, a rename, a migration of its own); a fix that would
 * add an error is dropped. Each kept fix is applied, linted again and run in PGlite the way the
 * runner runs it; the plain CONCURRENTLY without the directive is run too, and Postgres refuses it.
 */

const ORDERS = "CREATE TABLE orders (id bigint PRIMARY KEY, status text);";

function analyse(files: readonly SourceFile[]): AnalysisResult {
  return analyzeMigrations(files, detectMigrations(files, {}), { config: DEFAULT_ANALYSIS_CONFIG });
}

function finding(result: AnalysisResult, rule: string, path: string): Finding {
  const found = result.findings.find((f) => f.rule === rule && f.path === path);
  if (!found) throw new Error(`no ${rule} on ${path}: ${result.findings.map((f) => `${f.rule}@${f.path}:${f.line}`).join(", ")}`);
  return found;
}

function fixed(files: readonly SourceFile[], target: Finding): SourceFile[] {
  if (!target.fix) throw new Error(`${target.rule} has no fix`);
  const fix = target.fix;
  return files.map((file) => (file.path === target.path ? { ...file, text: applyFix(file.text, fix) } : file));
}

let db: PGlite;

beforeAll(async () => {
  await loadSqlParser();
  db = await PGlite.create();
}, 120_000);

afterAll(async () => {
  await db.close();
});

/** Runs every up section of the analysed files in order, as their runners would. */
async function runUps(files: readonly SourceFile[]): Promise<void> {
  await resetSchema(db);
  for (const step of stepsOf(analyse(files), "up")) await runLikeRunner(db, files, step);
}

describe("the CONCURRENTLY fix carries the runner's way out of the transaction", { timeout: 60_000 }, () => {
  const cases = [
    {
      framework: "sqlx",
      files: [
        { path: "Cargo.toml", text: '[package]\nname = "shop"\n' },
        { path: "migrations/0001_orders.sql", text: `${ORDERS}\n` },
        { path: "migrations/0002_orders_status.sql", text: "CREATE INDEX orders_status_idx ON orders (status);\n" },
      ],
      path: "migrations/0002_orders_status.sql",
      fix: { line: 1, endLine: 1, replacement: "-- no-transaction\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);" },
    },
    {
      framework: "goose",
      files: [
        { path: "db/migrations/00001_orders.sql", text: `-- +goose Up\n${ORDERS}\n\n-- +goose Down\nDROP TABLE orders;\n` },
        {
          path: "db/migrations/00002_orders_status.sql",
          text: "-- +goose Up\n-- the status filter of the orders page\nCREATE INDEX orders_status_idx ON orders (status);\n\n-- +goose Down\nDROP INDEX orders_status_idx;\n",
        },
      ],
      path: "db/migrations/00002_orders_status.sql",
      fix: {
        line: 1,
        endLine: 3,
        replacement:
          "-- +goose NO TRANSACTION\n-- +goose Up\n-- the status filter of the orders page\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);",
      },
    },
    {
      framework: "dbmate",
      files: [
        { path: "db/migrations/20260101000000_orders.sql", text: `-- migrate:up\n${ORDERS}\n\n-- migrate:down\nDROP TABLE orders;\n` },
        {
          path: "db/migrations/20260102000000_orders_status.sql",
          text: "-- migrate:up\nCREATE INDEX orders_status_idx ON orders (status);\n\n-- migrate:down\nDROP INDEX orders_status_idx;\n",
        },
      ],
      path: "db/migrations/20260102000000_orders_status.sql",
      fix: { line: 1, endLine: 2, replacement: "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);" },
    },
  ];

  for (const c of cases) {
    it(`${c.framework}: the fix adds the directive, lints clean and runs in PGlite outside a transaction`, async () => {
      const before = finding(analyse(c.files), "require-concurrent-index", c.path);
      expect(before.fix).toMatchObject(c.fix);
      const after = fixed(c.files, before);
      const again = analyse(after);
      expect(again.findings.filter((f) => f.severity === "error").map((f) => `${f.rule}@${f.path}:${f.line}`)).toEqual([]);
      expect(again.findings.some((f) => f.rule === "require-concurrent-index")).toBe(false);
      const section = again.migrations.find((m) => m.migration.files.includes(c.path))?.sections.find((s) => s.section.direction === "up");
      expect(section?.section.inTransaction).toBe(false);
      await runUps(after);
      const index = await db.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE indexname = 'orders_status_idx'");
      expect(index.rows).toHaveLength(1);
    });

    it(`${c.framework}: without the directive, Postgres refuses the fix in the runner's transaction`, async () => {
      const before = finding(analyse(c.files), "require-concurrent-index", c.path);
      const plain = {
        ...before,
        fix: { title: "Add CONCURRENTLY", line: c.fix.endLine, endLine: c.fix.endLine, replacement: c.fix.replacement.split("\n").at(-1) ?? "" },
      };
      await expect(runUps(fixed(c.files, plain))).rejects.toThrow(/cannot run inside a transaction block/);
    });
  }

  it("sqlx: no fix when another statement shares the file (sqlx sends it as one query: Postgres's implicit transaction)", async () => {
    const files = [
      { path: "Cargo.toml", text: '[package]\nname = "shop"\n' },
      { path: "migrations/0001_orders.sql", text: `${ORDERS}\n` },
      { path: "migrations/0002_orders_status.sql", text: "SET lock_timeout = '2s';\nCREATE INDEX orders_status_idx ON orders (status);\n" },
    ];
    const result = finding(analyse(files), "require-concurrent-index", "migrations/0002_orders_status.sql");
    expect(result.fix).toBeUndefined();
    expect(result.help).toContain("`-- no-transaction`");
    // What the widened fix would have made: refused all the same, as the advice says.
    const widened = [
      ...files.slice(0, 2),
      { path: files[2]!.path, text: "-- no-transaction\nSET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\n" },
    ];
    await expect(runUps(widened)).rejects.toThrow(/cannot run inside a transaction block/);
  });
});

describe("where the way out is not in the same file: advice, no fix", { timeout: 60_000 }, () => {
  it("golang-migrate: a file of several statements gets advice to give the index a file of its own", async () => {
    const files = [
      { path: "db/migrations/000001_orders.up.sql", text: `${ORDERS}\n` },
      { path: "db/migrations/000002_orders_status.up.sql", text: "SET lock_timeout = '2s';\nCREATE INDEX orders_status_idx ON orders (status);\n" },
    ];
    const result = finding(analyse(files), "require-concurrent-index", "db/migrations/000002_orders_status.up.sql");
    expect(result.fix).toBeUndefined();
    expect(result.help).toContain("alone in a migration file of its own");
    // The fix it no longer offers: golang-migrate sends the file as one query, and Postgres refuses it.
    const applied = [files[0]!, { path: files[1]!.path, text: "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\n" }];
    await expect(runUps(applied)).rejects.toThrow(/cannot run inside a transaction block/);
  });

  it("golang-migrate: a file of one statement keeps the plain fix, which runs", async () => {
    const files = [
      { path: "db/migrations/000001_orders.up.sql", text: `${ORDERS}\n` },
      { path: "db/migrations/000002_orders_status.up.sql", text: "CREATE INDEX orders_status_idx ON orders (status);\n" },
    ];
    const result = finding(analyse(files), "require-concurrent-index", "db/migrations/000002_orders_status.up.sql");
    expect(result.fix?.replacement).toBe("CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);");
    await runUps(fixed(files, result));
  });

  it("pop: advice naming the autocommit file name, no fix", () => {
    const files = [{ path: "migrations/20240101000000_orders_status.postgres.up.sql", text: "CREATE INDEX orders_status_idx ON orders (status);\n" }];
    const result = finding(analyse(files), "require-concurrent-index", files[0]!.path);
    expect(result.fix).toBeUndefined();
    expect(result.help).toContain(".postgres.autocommit.up.sql");
  });

  it("Diesel: advice naming metadata.toml, no fix", () => {
    const folder = "migrations/2026-01-02-000000_orders_status";
    const files = [
      { path: `${folder}/up.sql`, text: "CREATE INDEX orders_status_idx ON orders (status);\n" },
      { path: `${folder}/down.sql`, text: "DROP INDEX orders_status_idx;\n" },
    ];
    const result = finding(analyse(files), "require-concurrent-index", `${folder}/up.sql`);
    expect(result.fix).toBeUndefined();
    expect(result.help).toContain("`run_in_transaction = false` in that migration's metadata.toml");
  });

  it("Diesel: DROP INDEX gets the same advice on its own rule", () => {
    const folder = "migrations/2026-01-03-000000_drop_status";
    const files = [{ path: `${folder}/up.sql`, text: "DROP INDEX orders_status_idx;\n" }];
    const result = finding(analyse(files), "require-concurrent-index-drop", `${folder}/up.sql`);
    expect(result.fix).toBeUndefined();
    expect(result.help).toContain("metadata.toml");
  });

  it("Flyway: advice naming the script config file, no fix", () => {
    const files = [{ path: "src/main/resources/db/migration/V2__orders_status.sql", text: "CREATE INDEX orders_status_idx ON orders (status);\n" }];
    const result = finding(analyse(files), "require-concurrent-index", files[0]!.path);
    expect(result.fix).toBeUndefined();
    expect(result.help).toContain("executeInTransaction=false");
  });
});

describe("a fix that would add an error is dropped", { timeout: 60_000 }, () => {
  it("CONCURRENTLY inside the file's own BEGIN … COMMIT: the finding stays with its advice, without the fix", () => {
    const path = "db/migrations/000002_orders_status.up.sql";
    const files = [{ path, text: "BEGIN;\nCREATE INDEX orders_status_idx ON orders (status);\nCOMMIT;\n" }];
    const result = finding(analyse(files), "require-concurrent-index", path);
    expect(result.fix).toBeUndefined();
    expect(result.help).toContain("CONCURRENTLY");
    // The fix, applied, is what concurrently-in-transaction reports as an error.
    const applied = [{ path, text: "BEGIN;\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\nCOMMIT;\n" }];
    expect(
      analyse(applied)
        .findings.filter((f) => f.severity === "error")
        .map((f) => f.rule),
    ).toContain("concurrently-in-transaction");
  });

  it("fixes of one migration are checked together: the one that adds an error is dropped, the others kept", () => {
    const path = "db/migrations/000003_orders.up.sql";
    const text =
      "BEGIN;\nCREATE INDEX orders_status_idx ON orders (status);\nCOMMIT;\nALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);\nDROP INDEX orders_old_idx;\n";
    const result = analyse([{ path, text }]);
    expect(finding(result, "require-concurrent-index", path).fix).toBeUndefined();
    expect(finding(result, "require-not-valid-foreign-key", path).fix?.replacement).toContain("NOT VALID");
    // golang-migrate sends the file as one query: DROP INDEX CONCURRENTLY there would be refused too.
    expect(finding(result, "require-concurrent-index-drop", path).fix).toBeUndefined();
  });

  it("a DROP INDEX fix in a sqlx migration of several statements is dropped too", () => {
    const files = [
      { path: "Cargo.toml", text: '[package]\nname = "shop"\n' },
      { path: "migrations/0003_drop.sql", text: "DROP INDEX orders_status_idx;\nALTER TABLE orders ADD COLUMN note text;\n" },
    ];
    const result = finding(analyse(files), "require-concurrent-index-drop", "migrations/0003_drop.sql");
    expect(result.fix).toBeUndefined();
    expect(result.help).toContain("`-- no-transaction`");
  });
});
