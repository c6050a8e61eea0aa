import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParser } from "../../../src/sql/parse.js";
import { findingsIn, generatedLines, ormFixture } from "./orm-statements-findings.js";

describe("Laravel Schema calls read as the SQL they issue", () => {
  beforeAll(() => loadSqlParser());

  it("lays out Schema::create's table and its constraints at their lines; a table created here reports no lock risk", () => {
    const { migrations, findings } = ormFixture("laravel");
    expect(generatedLines(migrations.find((m) => m.name === "create_orders_table"))).toEqual([
      '11: CREATE TABLE "orders" ("id" bigserial PRIMARY KEY, "number" character varying(255) NOT NULL, "user_id" bigint NOT NULL, "created_at" timestamp(0) without time zone, "updated_at" timestamp(0) without time zone);',
      '13: ALTER TABLE "orders" ADD CONSTRAINT "orders_number_unique" UNIQUE ("number");',
      '14: ALTER TABLE "orders" ADD CONSTRAINT "orders_user_id_foreign" FOREIGN KEY ("user_id") REFERENCES "users" ("id");',
      '18: ALTER TABLE "orders" ADD COLUMN "state" character varying(255) NOT NULL;',
    ]);
    expect(findingsIn(findings, "create_orders_table", true)).toEqual([]);
  });

  it("reports each lock risk at the line of its blueprint call (columns are NOT NULL unless ->nullable())", () => {
    const { findings } = ormFixture("laravel");
    const risks = findingsIn(findings, "lock_risks", true);
    // The compat bans are policy findings (issue 17's tiers): reported at their lines, not among the risks.
    const policy = findings.filter((f) => f.path.includes("lock_risks") && f.severity === "note").map((f) => `${f.rule}@${f.line}`);
    expect(policy).toEqual(expect.arrayContaining(["ban-drop-column@18", "ban-rename-column@19", "ban-rename-table@27", "ban-drop-table@28"]));
    expect(risks).toEqual(
      expect.arrayContaining([
        "require-concurrent-index@13",
        "add-required-column@14",
        "unsafe-column-type-change@16",
        "require-not-valid-foreign-key@17",
        "set-not-null-scan@20",
        "unbatched-backfill@23",
        "require-concurrent-index@25",
      ]),
    );
    // ->default(0) (15) and ->nullable() (21) add no required column.
    expect(risks.filter((finding) => /^add-required-column@(15|21)$/.test(finding))).toEqual([]);
  });

  it("reads raw DB::statement SQL; CONCURRENTLY and NOT VALID with $withinTransaction = false report nothing", () => {
    const { findings } = ormFixture("laravel");
    expect(findingsIn(findings, "safe_forms", true)).toEqual([]);
  });

  it("refuses CONCURRENTLY inside Laravel's transaction and says how to leave it; interpolated SQL is not guessed at", () => {
    const { findings } = ormFixture("laravel");
    expect(findingsIn(findings, "concurrent_in_transaction", true)).toEqual(["concurrently-in-transaction@10"]);
    expect(findings.find((finding) => finding.rule === "concurrently-in-transaction")?.help).toContain("$withinTransaction = false");
    expect(findings.find((finding) => finding.rule === "require-concurrent-index")?.help).toContain("DB::statement('CREATE INDEX CONCURRENTLY");
  });
});
