import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../../../src/sql/parse.js";
import { findingsIn, generatedLines, ormFixture } from "./orm-statements-findings.js";

describe("Alembic op calls read as the SQL they issue", () => {
  beforeAll(() => loadSqlParser());

  it("lays out op.create_table, op.create_index and op.add_column at their lines; a table created here reports nothing", () => {
    const { migrations, findings } = ormFixture("alembic");
    expect(generatedLines(migrations.find((m) => m.version === "0001"))).toEqual([
      '14: CREATE TABLE "accounts" ("id" integer NOT NULL, "email" character varying(255) NOT NULL, PRIMARY KEY ("id"));',
      '20: CREATE UNIQUE INDEX "ix_accounts_email" ON "accounts" ("email");',
      '21: ALTER TABLE "accounts" ADD COLUMN "plan" text NOT NULL;',
    ]);
    expect(findingsIn(findings, "0001_create_accounts", true)).toEqual([]);
  });

  it("reports each lock risk at the line of its call, batch_alter_table calls included; other dialects' branches are left out", () => {
    const { findings } = ormFixture("alembic");
    const risks = findingsIn(findings, "0002_lock_risks", true);
    // The compat bans are policy findings (issue 17's tiers): reported at their lines, not among the risks.
    const policy = findings.filter((f) => f.path.includes("0002_lock_risks") && f.severity === "note").map((f) => `${f.rule}@${f.line}`);
    expect(policy).toEqual(expect.arrayContaining(["ban-drop-column@20", "ban-rename-column@21", "ban-drop-table@34"]));
    expect(risks).toEqual(
      expect.arrayContaining([
        "require-concurrent-index@14",
        "add-required-column@15",
        "unsafe-column-type-change@17",
        "set-not-null-scan@18",
        "require-not-valid-foreign-key@19",
        "require-not-valid-check@22",
        "add-required-column@24",
        "require-concurrent-index@25",
        "unbatched-backfill@28",
        "require-concurrent-index@29",
      ]),
    );
    // server_default makes the NOT NULL column safe (16); the sqlite-only branch runs nothing here (33).
    expect(risks.filter((finding) => /@(16|33)$/.test(finding))).toEqual([]);
  });

  it("runs autocommit_block() calls outside the transaction: postgresql_concurrently=True there reports nothing", () => {
    const { migrations, findings } = ormFixture("alembic");
    const safe = migrations.find((m) => m.version === "0003");
    expect(safe?.sections.filter((s) => s.direction === "up").map((s) => s.inTransaction)).toEqual([true, false]);
    expect(findingsIn(findings, "0003_safe_forms", true)).toEqual([]);
  });

  it("refuses postgresql_concurrently=True inside the migration's transaction and says how to leave it", () => {
    const { findings } = ormFixture("alembic");
    expect(findingsIn(findings, "0004_concurrent", true)).toEqual(["concurrently-in-transaction@13"]);
    expect(findings.find((finding) => finding.rule === "concurrently-in-transaction")?.help).toContain("autocommit_block()");
    expect(findings.find((finding) => finding.rule === "require-concurrent-index")?.help).toContain("postgresql_concurrently=True");
  });
});
