import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../../../src/sql/parse.js";
import { findingsIn, generatedLines, ormFixture } from "./orm-statements-findings.js";

describe("Rails calls read as the SQL they issue", () => {
  beforeAll(() => loadSqlParser());

  it("lays out each call's statements at its line", () => {
    const { migrations } = ormFixture("rails");
    expect(generatedLines(migrations.find((m) => m.name === "create_orders"))).toEqual([
      '3: CREATE TABLE "orders" ("id" bigserial PRIMARY KEY, "number" character varying NOT NULL, "user_id" bigint NOT NULL REFERENCES "users" ("id"), "created_at" timestamp without time zone NOT NULL, "updated_at" timestamp without time zone NOT NULL);',
      '5: CREATE INDEX "index_orders_on_user_id" ON "orders" ("user_id");',
      '8: CREATE UNIQUE INDEX "index_orders_on_number" ON "orders" ("number");',
      '9: ALTER TABLE "orders" ADD COLUMN "state" character varying NOT NULL;',
    ]);
  });

  it("reports each lock risk at the line of its call", () => {
    const { findings } = ormFixture("rails");
    // A table created in the same migration has no rows and no traffic: nothing to report.
    expect(findingsIn(findings, "create_orders", true)).toEqual([]);
    expect(findingsIn(findings, "lock_risks")).toEqual(
      expect.arrayContaining([
        "require-concurrent-index@3",
        "add-required-column@4",
        "unsafe-column-type-change@6",
        "require-not-valid-foreign-key@7",
        "ban-drop-column@8",
        "ban-rename-column@9",
        "set-not-null-scan@10",
        "require-not-valid-check@11",
        "require-concurrent-index@12",
        "require-not-valid-foreign-key@12",
        "require-concurrent-index-drop@13",
        "ban-rename-table@14",
        "ban-drop-table@15",
        "ban-add-unique-constraint@16",
        "require-concurrent-index@19",
      ]),
    );
    // Raw SQL keeps its lines: the heredoc's UPDATE at 18, its CREATE INDEX at 19.
    expect(findingsIn(findings, "lock_risks")).toContain("unbatched-backfill@18");
    expect(findingsIn(findings, "lock_risks")).not.toContain("add-required-column@5");
  });

  it("reports nothing for the concurrent and NOT VALID forms outside a transaction, nor for a reversible block's down", () => {
    const { findings } = ormFixture("rails");
    expect(findingsIn(findings, "safe_forms", true)).toEqual([]);
  });

  it("refuses CONCURRENTLY inside the transaction Rails wraps a migration in, and says how to leave it", () => {
    const { findings } = ormFixture("rails");
    expect(findingsIn(findings, "concurrent_in_transaction")).toEqual(expect.arrayContaining(["concurrently-in-transaction@3"]));
    const refused = findings.find((finding) => finding.rule === "concurrently-in-transaction");
    expect(refused?.help).toContain("disable_ddl_transaction!");
    // Interpolated SQL is not guessed at: no statement, no syntax error.
    expect(findingsIn(findings, "concurrent_in_transaction")).not.toContain("syntax-error@4");
    expect(findingsIn(findings, "concurrent_in_transaction", true)).toEqual(["concurrently-in-transaction@3", "irreversible-rollback@4"]);
  });

  it("reads change_table blocks call by call", () => {
    const { findings } = ormFixture("rails");
    expect(findingsIn(findings, "change_table")).toEqual(expect.arrayContaining(["add-required-column@4", "require-concurrent-index@5", "ban-drop-column@6"]));
  });

  it("tells Rails users how to build an index concurrently in Rails terms", () => {
    const { findings } = ormFixture("rails");
    const index = findings.find((finding) => finding.rule === "require-concurrent-index");
    expect(index?.help).toContain("algorithm: :concurrently");
    expect(index?.help).toContain("disable_ddl_transaction!");
    expect(findings.every((finding) => finding.fix === undefined)).toBe(true);
  });
});

describe("Rails foreign keys, in Rails terms", () => {
  beforeAll(() => loadSqlParser());

  it("tells Rails users to add a foreign key with validate: false and validate it later", () => {
    const { findings } = ormFixture("rails");
    const key = findings.find((finding) => finding.rule === "require-not-valid-foreign-key" && finding.path.includes("lock_risks"));
    expect(key?.help).toContain("validate: false");
    expect(key?.help).toContain("validate_foreign_key");
  });
});

describe("Rails code for other database adapters", () => {
  beforeAll(() => loadSqlParser());

  it("leaves out an if block that tests for another adapter (no syntax error on its SQL), and reads what follows", () => {
    const { findings } = ormFixture("rails");
    // execute in change is still a rollback problem (4); only the lock rules skip the block.
    expect(findingsIn(findings, "other_adapter", true)).toEqual(["irreversible-rollback@4", "require-concurrent-index@10"]);
  });
});
