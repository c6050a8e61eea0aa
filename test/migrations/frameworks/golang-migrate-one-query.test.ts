import { describe, expect, it } from "vitest";
import { AnalysisConfigSchema } from "../../../src/config/analysis-config.js";
import { detectMigrations, detectOptionsOf } from "../../../src/migrations/detect.js";
import { analyzeMigrations } from "../../../src/rules/engine.js";
import type { Finding } from "../../../src/rules/types.js";
import { loadSqlParser } from "../../../src/sql/parse.js";
import { loadFixture } from "./load-fixture.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

/**
 * golang-migrate's postgres driver sends a file as one query: Postgres runs a query of several
 * statements in one implicit transaction (test/sql/one-query-pglite.test.ts proves it), unless the
 * database URL has x-multi-statement=true.
 */
function lintFixture(config: Record<string, unknown> = {}): Finding[] {
  const files = loadFixture("golang-migrate-one-query");
  const parsed = AnalysisConfigSchema.parse(config);
  const migrations = detectMigrations(files, detectOptionsOf(parsed));
  return analyzeMigrations(files, migrations, { config: parsed }).findings;
}

const at = (findings: readonly Finding[], rule: string) => findings.filter((f) => f.rule === rule).map((f) => `${f.path.replace("migrations/", "")}:${f.line}`);

describe("golang-migrate sends each file as one query", () => {
  const findings = lintFixture();

  it("refuses CONCURRENTLY beside another statement, even after a COMMIT, and says why", () => {
    expect(at(findings, "concurrently-in-transaction")).toEqual(["000003_status.up.sql:2", "000004_note.up.sql:4"]);
    const [first] = findings.filter((f) => f.rule === "concurrently-in-transaction");
    expect(first?.message).toContain("sends the whole file as one query");
    expect(first?.help).toContain("alone in a migration file of its own");
    expect(first?.help).toContain("x-multi-statement=true");
  });

  it("lets CONCURRENTLY alone in its file run outside a transaction", () => {
    expect(at(findings, "concurrently-in-transaction")).not.toContain("000002_index_created.up.sql:1");
    expect(at(findings, "concurrently-in-transaction")).not.toContain("000002_index_created.down.sql:1");
  });

  it("takes a BEGIN in the implicit block for what Postgres does with it: neither nesting nor left open", () => {
    expect(at(findings, "transaction-nesting")).toEqual([]);
    expect(at(findings, "uncommitted-transaction")).toEqual([]);
  });

  it("offers no CONCURRENTLY fix in a file of several statements, and explains the file rule", () => {
    const index = findings.find((f) => f.rule === "require-concurrent-index");
    expect(index?.path).toBe("migrations/000005_total.up.sql");
    expect(index?.fix).toBeUndefined();
    expect(index?.help).toContain("alone in a migration file of its own");
  });

  it("gives 'outside a transaction' notes only where a file of one statement runs outside one", () => {
    // A failed concurrent build leaves an invalid index; the files of several statements run all or nothing.
    expect(at(findings, "require-if-not-exists")).toEqual(["000002_index_created.up.sql:1"]);
  });
});

describe("golang-migrate with x-multi-statement=true", () => {
  const findings = lintFixture({ golangMigrate: { multiStatement: true } });

  it("runs the statements one by one, outside any transaction", () => {
    expect(at(findings, "concurrently-in-transaction")).toEqual([]);
    // The column stays if the index build fails: the file cannot be run again as it is.
    expect(at(findings, "require-if-not-exists")).toContain("000003_status.up.sql:1");
    const index = findings.find((f) => f.rule === "require-concurrent-index");
    expect(index?.fix?.replacement).toContain("CREATE INDEX CONCURRENTLY orders_total_idx");
  });

  it("is off unless configured", () => {
    expect(AnalysisConfigSchema.parse({}).golangMigrate).toBeUndefined();
    expect(AnalysisConfigSchema.parse({ golangMigrate: {} }).golangMigrate).toEqual({ multiStatement: false });
  });
});
