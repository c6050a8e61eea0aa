import { describe, expect, it } from "vitest";
import { detectMigrations } from "../../../src/migrations/detect.js";
import { loadFixture } from "./load-fixture.js";
import { byVersion, describeIssues, describeSections, sectionText } from "./summaries.js";

describe("Knex", () => {
  const files = loadFixture("frameworks/knex");
  const migrations = detectMigrations(files);
  const path = (version: string) => byVersion(migrations, version).files[0] ?? "";

  it("reads exports.up/down and ES function exports, in JavaScript or TypeScript", () => {
    expect(migrations.map((m) => [m.framework, m.version, m.name, m.sections.map((s) => s.language).join(",")])).toEqual([
      ["knex", "20260101000000", "create_users", "javascript,javascript"],
      ["knex", "20260102000000", "add_index", "typescript"],
      ["knex", "20260103000000", "add_name", "javascript,javascript"],
      ["knex", "20260104000000", "purge", "javascript,javascript"],
    ]);
    const users = byVersion(migrations, "20260101000000");
    expect(describeSections(users)).toEqual([`up ${path("20260101000000")} L5-8 tx`, `down ${path("20260101000000")} L12-12 tx`]);
    expect(sectionText(files, users.sections[1])).toBe('  return knex.schema.dropTable("users");\n');
    expect(describeIssues(users)).toEqual([]);
  });

  it("reads an arrow function's expression body as the section", () => {
    expect(describeSections(byVersion(migrations, "20260103000000"))).toEqual([
      `up ${path("20260103000000")} L2-4 tx`,
      `down ${path("20260103000000")} L7-7 tx`,
    ]);
  });

  it("reports a missing down, honouring config = { transaction: false }", () => {
    const index = byVersion(migrations, "20260102000000");
    expect(describeIssues(index)).toEqual(["missing-down 5: `up` has no `down`"]);
    expect(describeSections(index)).toEqual([`up ${path("20260102000000")} L6-6 no-tx`]);
  });

  it("reports a comment-only down as empty and a throwing down as irreversible", () => {
    expect(describeIssues(byVersion(migrations, "20260103000000"))).toEqual(["empty-down 6: `down` is empty: rolling back does nothing"]);
    const purge = byVersion(migrations, "20260104000000");
    expect(describeIssues(purge)).toEqual(['irreversible-down 7: `down` refuses to run: throw new Error("cannot restore purged users");']);
    expect(purge.irreversible).toEqual({ reason: "deleted rows are gone", path: path("20260104000000"), line: 1 });
  });
});

describe("Sequelize", () => {
  const migrations = detectMigrations(loadFixture("frameworks/sequelize"));
  const path = (version: string) => byVersion(migrations, version).files[0] ?? "";

  it("reads module.exports = { up, down } with queryInterface as Sequelize, not Knex", () => {
    expect(migrations.map((m) => [m.framework, m.version, m.name])).toEqual([
      ["sequelize", "20260101000000", "create-user"],
      ["sequelize", "20260102000000", "add-age"],
      ["sequelize", "20260103000000", "add-city"],
      ["sequelize", "20260104000000", "drop-legacy"],
    ]);
    const create = byVersion(migrations, "20260101000000");
    // sequelize-cli and umzug wrap no migration in a transaction (calls given one are read per call).
    expect(describeSections(create)).toEqual([`up ${path("20260101000000")} L6-9 no-tx`, `down ${path("20260101000000")} L13-13 no-tx`]);
    expect(describeIssues(create)).toEqual([]);
  });

  it("reports an empty down, a missing down and a rejecting down", () => {
    expect(describeIssues(byVersion(migrations, "20260102000000"))).toEqual(["empty-down 7: `down` is empty: rolling back does nothing"]);
    expect(byVersion(migrations, "20260102000000").sections[1]).toMatchObject({ direction: "down", startLine: 7, endLine: 7 });
    expect(describeIssues(byVersion(migrations, "20260103000000"))).toEqual(["missing-down 4: `up` has no `down`"]);
    expect(describeIssues(byVersion(migrations, "20260104000000"))).toEqual([
      'irreversible-down 8: `down` refuses to run: Promise.reject(new Error("Legacy is gone"));',
    ]);
  });
});

describe("TypeORM", () => {
  const migrations = detectMigrations(loadFixture("frameworks/typeorm"));
  const path = (version: string) => byVersion(migrations, version).files[0] ?? "";

  it("reads classes implementing MigrationInterface, versioned by the file's timestamp", () => {
    expect(migrations.map((m) => [m.framework, m.version, m.name, m.folder])).toEqual([
      ["typeorm", "1700000000000", "AddOrders", "src/migration"],
      ["typeorm", "1700000000001", "AddTotal", "src/migration"],
      ["typeorm", "1700000000002", "AddNote", "src/migration"],
      ["typeorm", "1700000000003", "DropArchive", "src/migration"],
    ]);
    const orders = byVersion(migrations, "1700000000000");
    expect(describeSections(orders)).toEqual([`up ${path("1700000000000")} L7-7 tx`, `down ${path("1700000000000")} L11-11 tx`]);
    expect(orders.sections[0]?.language).toBe("typescript");
    expect(describeIssues(orders)).toEqual([]);
  });

  it("reports an empty down, a missing down and a throwing down", () => {
    expect(describeIssues(byVersion(migrations, "1700000000001"))).toEqual(["empty-down 8: `down` is empty: rolling back does nothing"]);
    expect(describeIssues(byVersion(migrations, "1700000000002"))).toEqual(["missing-down 4: `up` has no `down`"]);
    expect(describeIssues(byVersion(migrations, "1700000000003"))).toEqual([
      'irreversible-down 9: `down` refuses to run: throw new Error("archive cannot be restored");',
    ]);
  });

  it("takes the version from the class name when the file name has none", () => {
    const text = 'export class AddOrders1700000000000 implements MigrationInterface {\n  async up(q) {\n    await q.query("SELECT 1");\n  }\n}\n';
    const [migration] = detectMigrations([{ path: "src/migration/add-orders.ts", text }]);
    expect(migration).toMatchObject({ framework: "typeorm", version: "1700000000000", name: "AddOrders" });
  });
});
