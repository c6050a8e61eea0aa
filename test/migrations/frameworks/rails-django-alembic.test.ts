import { describe, expect, it } from "vitest";
import { detectMigrations } from "../../../src/migrations/detect.js";
import { loadFixture } from "./load-fixture.js";
import { byVersion, describeIssues, describeSections, sectionText } from "./summaries.js";

describe("Rails", () => {
  const files = loadFixture("frameworks/rails");
  const migrations = detectMigrations(files);
  const path = (version: string) => byVersion(migrations, version).files[0] ?? "";

  it("reads db/migrate/*.rb in timestamp order, the change/up/down bodies as Ruby sections", () => {
    expect(migrations.map((m) => [m.framework, m.version, m.name, m.folder, m.rollback])).toEqual([
      ["rails", "20260101000000", "create_products", "db/migrate", "required"],
      ["rails", "20260102000000", "remove_legacy", "db/migrate", "required"],
      ["rails", "20260103000000", "backfill_prices", "db/migrate", "required"],
      ["rails", "20260104000000", "add_sku", "db/migrate", "required"],
      ["rails", "20260105000000", "drop_audit", "db/migrate", "required"],
      ["rails", "20260106000000", "create_trigger", "db/migrate", "required"],
    ]);
    expect(describeSections(byVersion(migrations, "20260101000000"))).toEqual([`up ${path("20260101000000")} L3-15 tx`]);
    const dropAudit = byVersion(migrations, "20260105000000");
    expect(describeSections(dropAudit)).toEqual([`up ${path("20260105000000")} L4-4 tx`, `down ${path("20260105000000")} L8-8 tx`]);
    expect(dropAudit.sections.every((s) => s.language === "ruby")).toBe(true);
    // The up section carries the SQL of its calls (start/end then index that text), at the call's line.
    expect(dropAudit.sections[0]?.sql).toBe('\n\n\nDROP TABLE "audit_rows";');
    expect(sectionText(files, dropAudit.sections[1])).toBe("    raise ActiveRecord::IrreversibleMigration\n");
  });

  it("finds the end of a method past heredocs holding `end` lines and statement-position `if` blocks", () => {
    const trigger = byVersion(migrations, "20260106000000");
    expect(describeSections(trigger)).toEqual([`up ${path("20260106000000")} L3-13 tx`, `down ${path("20260106000000")} L17-17 tx`]);
  });

  it("accepts reversible blocks in change, and reports every irreversible call outside them", () => {
    expect(describeIssues(byVersion(migrations, "20260101000000"))).toEqual([]);
    expect(describeIssues(byVersion(migrations, "20260102000000"))).toEqual([
      "irreversible-operation 3: `remove_column` without a column type in `change` cannot be reversed",
      "irreversible-operation 5: `drop_table` without a block (the table definition) in `change` cannot be reversed",
      "irreversible-operation 9: `change_column` in `change` cannot be reversed: use `up`/`down`",
      "irreversible-operation 10: `change_column_default` without `from:` and `to:` in `change` cannot be reversed",
      "irreversible-operation 12: `remove_index` without a column in `change` cannot be reversed",
      "irreversible-operation 14: `execute` in `change` cannot be reversed: use `reversible` or `up`/`down`",
      "irreversible-operation 16: `t.remove` without `type:` in `change` cannot be reversed",
      "irreversible-operation 19: `remove_columns` without `type:` in `change` cannot be reversed",
    ]);
    expect(byVersion(migrations, "20260102000000").rollbackIssues.every((issue) => issue.path === path("20260102000000"))).toBe(true);
  });

  it("reports an up without a down, and runs outside a transaction after disable_ddl_transaction!", () => {
    const backfill = byVersion(migrations, "20260103000000");
    expect(describeIssues(backfill)).toEqual(["missing-down 4: `up` has no `down`"]);
    expect(describeSections(backfill)).toEqual([`up ${path("20260103000000")} L5-7 no-tx`]);
  });

  it("reports `def down; end` and a comment-only down as empty", () => {
    expect(describeIssues(byVersion(migrations, "20260104000000"))).toEqual(["empty-down 6: `down` is empty: rolling back does nothing"]);
    expect(byVersion(migrations, "20260104000000").sections[1]).toMatchObject({ direction: "down", startLine: 6, endLine: 6 });
    expect(describeIssues(byVersion(migrations, "20260106000000"))).toEqual(["empty-down 16: `down` is empty: rolling back does nothing"]);
  });

  it("reports a down raising ActiveRecord::IrreversibleMigration, and the irreversible comment", () => {
    const dropAudit = byVersion(migrations, "20260105000000");
    expect(describeIssues(dropAudit)).toEqual(["irreversible-down 8: `down` refuses to run: raise ActiveRecord::IrreversibleMigration"]);
    expect(dropAudit.irreversible).toEqual({ reason: "audit rows are archived elsewhere first", path: path("20260105000000"), line: 1 });
  });
});

describe("Django", () => {
  const files = loadFixture("frameworks/django");
  const migrations = detectMigrations(files);
  const folder = "shop/orders/migrations";

  it("reads <app>/migrations/NNNN_*.py (not __init__.py), the operations list as the up section", () => {
    expect(migrations.map((m) => [m.framework, m.version, m.name, m.folder])).toEqual([
      ["django", "0001", "initial", folder],
      ["django", "0002", "backfill_status", folder],
      ["django", "0003", "concurrent_index", folder],
    ]);
    const initial = byVersion(migrations, "0001");
    expect(describeSections(initial)).toEqual([`up ${folder}/0001_initial.py L10-16 tx`]);
    expect(initial.sections[0]?.language).toBe("python");
    // The operations list carries the SQL its operations issue, CreateModel's table at its line.
    expect(initial.sections[0]?.sql?.split("\n")[9]).toMatch(/^CREATE TABLE "orders_order" /);
    expect(describeIssues(initial)).toEqual([]);
  });

  it("reports RunPython without reverse_code and RunSQL without reverse_sql, not the noop or reversed ones", () => {
    expect(describeIssues(byVersion(migrations, "0002"))).toEqual([
      "irreversible-down 13: RunPython without reverse_code: Django cannot migrate backwards past it",
      "irreversible-down 14: RunSQL without reverse_sql: Django cannot migrate backwards past it",
      "irreversible-down 21: RunPython without reverse_code: Django cannot migrate backwards past it",
    ]);
  });

  it("runs outside a transaction with atomic = False, and reports empty reverses", () => {
    const concurrent = byVersion(migrations, "0003");
    expect(describeSections(concurrent)).toEqual([`up ${folder}/0003_concurrent_index.py L19-23 no-tx`]);
    expect(describeIssues(concurrent)).toEqual([
      "empty-down 19: RunSQL with an empty reverse_sql: reversing it does nothing",
      "empty-down 23: RunPython reverse_code `backwards` does nothing",
    ]);
  });
});

describe("Alembic", () => {
  const files = loadFixture("frameworks/alembic");
  const migrations = detectMigrations(files);
  const path = (version: string) => byVersion(migrations, version).files[0] ?? "";

  it("versions by revision id and orders along down_revision, not by file name", () => {
    expect(migrations.map((m) => [m.framework, m.version, m.name, m.folder])).toEqual([
      ["alembic", "f00d", "create_account", "alembic/versions"],
      ["alembic", "0b1e", "add_email", "alembic/versions"],
      ["alembic", "1c2d", "drop_legacy", "alembic/versions"],
      ["alembic", "2e3f", "purge", "alembic/versions"],
    ]);
  });

  it("makes upgrade() and downgrade() bodies the sections, past a multi-line string at column 0", () => {
    expect(describeSections(byVersion(migrations, "f00d"))).toEqual([`up ${path("f00d")} L14-17 tx`, `down ${path("f00d")} L21-21 tx`]);
    expect(describeSections(byVersion(migrations, "0b1e"))).toEqual([`up ${path("0b1e")} L10-13 tx`, `down ${path("0b1e")} L17-18 tx`]);
    expect(describeIssues(byVersion(migrations, "f00d"))).toEqual([]);
  });

  it("reports a docstring-and-pass downgrade as empty, a missing one, and one raising NotImplementedError", () => {
    expect(describeIssues(byVersion(migrations, "0b1e"))).toEqual(["empty-down 16: `downgrade()` is empty: rolling back does nothing"]);
    expect(describeIssues(byVersion(migrations, "1c2d"))).toEqual(["missing-down 7: `upgrade()` has no `downgrade()`"]);
    expect(describeIssues(byVersion(migrations, "2e3f"))).toEqual([
      'irreversible-down 13: `downgrade()` refuses to run: raise NotImplementedError("purged rows cannot come back")',
    ]);
    expect(byVersion(migrations, "2e3f").irreversible).toEqual({ reason: "purged rows cannot come back", path: path("2e3f"), line: 3 });
  });
});
