import { describe, expect, it } from "vitest";
import { FRAMEWORK_DETECTORS, detectMigrations } from "../../../src/migrations/detect.js";
import { FRAMEWORK_IDS, downSections, type Migration, type SourceFile } from "../../../src/migrations/model.js";
import { loadFixture } from "./load-fixture.js";
import { describeSections } from "./summaries.js";

const FIXTURE_FRAMEWORKS = [
  "golang-migrate",
  "dbmate",
  "goose",
  "liquibase",
  "sqitch",
  "diesel",
  "prisma",
  "drizzle",
  "flyway",
  "sqlx",
  "plain-sql",
  "rails",
  "django",
  "alembic",
  "knex",
  "sequelize",
  "typeorm",
  "laravel",
  "ecto",
  "efcore",
] as const;

/** Every framework fixture in one repository, each under its own folder. */
function wholeRepository(): SourceFile[] {
  return FIXTURE_FRAMEWORKS.flatMap((name) => loadFixture(`frameworks/${name}`).map((file) => ({ ...file, path: `${name}/${file.path}` })));
}

function frameworkOfPath(migrations: readonly Migration[]): Map<string, Set<string>> {
  const owners = new Map<string, Set<string>>();
  for (const migration of migrations) {
    for (const path of migration.files) owners.set(path, (owners.get(path) ?? new Set()).add(migration.framework));
  }
  return owners;
}

describe("detectMigrations", () => {
  it("has one detector per framework id", () => {
    expect(FRAMEWORK_DETECTORS.map((detector) => detector.id).sort()).toEqual([...FRAMEWORK_IDS].sort());
  });

  it("recognises every framework in a repository that mixes them, each file read by one framework only", () => {
    const migrations = detectMigrations(wholeRepository());
    const owners = frameworkOfPath(migrations);
    expect([...owners.values()].filter((frameworks) => frameworks.size > 1)).toEqual([]);
    for (const name of FIXTURE_FRAMEWORKS) {
      const found = new Set(migrations.filter((m) => m.folder === name || m.folder.startsWith(`${name}/`)).map((m) => m.framework));
      const expected = name === "sqlx" ? ["plain-sql", "sqlx"] : [name];
      expect([name, [...found].sort()]).toEqual([name, expected]);
    }
  });

  it("groups migrations by folder, each framework's order kept within a folder", () => {
    const migrations = detectMigrations(wholeRepository());
    const folders = migrations.map((m) => m.folder);
    expect(folders).toEqual([...folders].sort());
    const alembic = migrations.filter((m) => m.framework === "alembic").map((m) => m.version);
    expect(alembic).toEqual(["f00d", "0b1e", "1c2d", "2e3f"]);
  });

  it("prefers markers inside a file over its name", () => {
    const files = [
      { path: "db/migrations/000001_a.up.sql", text: "-- +goose Up\nSELECT 1;\n" },
      { path: "db/migration/V1__b.sql", text: "-- migrate:up\nSELECT 1;\n" },
      { path: "migrations/2026-01-01-000000_c/up.sql", text: "--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n" },
    ];
    expect(detectMigrations(files).map((m) => [m.files[0], m.framework])).toEqual([
      ["db/migration/V1__b.sql", "dbmate"],
      ["db/migrations/000001_a.up.sql", "goose"],
      ["migrations/2026-01-01-000000_c/up.sql", "liquibase"],
    ]);
  });

  it("ignores files no framework reads", () => {
    const files = [
      { path: "README.md", text: "# Migrations\n" },
      { path: "db/schema.rb", text: "ActiveRecord::Schema.define do\nend\n" },
      { path: "src/app.ts", text: "export const up = 1;\n" },
    ];
    expect(detectMigrations(files)).toEqual([]);
  });
});

describe("options.framework", () => {
  it("makes sqlx read reversible .up.sql/.down.sql files that are golang-migrate's otherwise", () => {
    const files = loadFixture("frameworks/golang-migrate");
    expect(new Set(detectMigrations(files).map((m) => m.framework))).toEqual(new Set(["golang-migrate"]));
    const forced = detectMigrations(files, { framework: "sqlx" });
    expect(forced.map((m) => [m.framework, m.version])).toEqual([
      ["sqlx", "000001"],
      ["sqlx", "000002"],
      ["sqlx", "000010"],
    ]);
  });

  it("makes plain-sql read every SQL file whole, markers and all", () => {
    const forced = detectMigrations(loadFixture("frameworks/dbmate"), { framework: "plain-sql" });
    expect(forced.map((m) => [m.framework, m.sections.length, m.rollback])).toEqual([
      ["plain-sql", 1, "optional"],
      ["plain-sql", 1, "optional"],
      ["plain-sql", 1, "optional"],
      ["plain-sql", 1, "optional"],
    ]);
  });

  it("makes Knex read Sequelize-style files, and Drizzle read numbered files without a journal", () => {
    expect(new Set(detectMigrations(loadFixture("frameworks/sequelize"), { framework: "knex" }).map((m) => m.framework))).toEqual(new Set(["knex"]));
    const numbered = [{ path: "migrations/0001_init.sql", text: "CREATE TABLE t (id int);\n" }];
    expect(detectMigrations(numbered).map((m) => m.framework)).toEqual(["plain-sql"]);
    expect(detectMigrations(numbered, { framework: "drizzle" }).map((m) => [m.framework, m.rollback])).toEqual([["drizzle", "unsupported"]]);
  });

  it("leaves the files the forced framework cannot read to detection", () => {
    const files = [...loadFixture("frameworks/golang-migrate"), ...loadFixture("frameworks/rails")];
    const frameworks = new Set(detectMigrations(files, { framework: "sqlx" }).map((m) => m.framework));
    expect(frameworks).toEqual(new Set(["sqlx", "rails"]));
  });
});

describe("the lint-demo fixtures", () => {
  const migrations = detectMigrations(loadFixture("lint-demo"));
  const find = (path: string) => migrations.find((m) => m.files.includes(path));

  it("are golang-migrate, dbmate, goose and Diesel migrations", () => {
    expect(migrations.map((m) => `${m.framework} ${m.folder} ${m.version}`)).toEqual([
      "dbmate dbmate/db/migrations 20260101000000",
      "dbmate dbmate/db/migrations 20260102000000",
      "dbmate dbmate/db/migrations 20260103000000",
      "diesel diesel/migrations 2026-01-01-000000",
      "diesel diesel/migrations 2026-01-02-000000",
      "golang-migrate golang-migrate 000001",
      "golang-migrate golang-migrate 000002",
      "golang-migrate golang-migrate 000003",
      "goose goose/migrations 00001",
      "goose goose/migrations 00002",
    ]);
  });

  it("have the problems the end-to-end test looks for", () => {
    expect(downSections(find("golang-migrate/000003_index_orders.up.sql")!)).toEqual([]);
    expect(describeSections(find("dbmate/db/migrations/20260103000000_empty_down.sql"))).toEqual([
      "up dbmate/db/migrations/20260103000000_empty_down.sql L2-3 tx",
      "down dbmate/db/migrations/20260103000000_empty_down.sql L4-4 tx",
    ]);
    expect(describeSections(find("goose/migrations/00001_add_status.sql"))).toEqual([
      "up goose/migrations/00001_add_status.sql L2-3 tx",
      "down goose/migrations/00001_add_status.sql L5-5 tx",
    ]);
    expect(find("diesel/migrations/2026-01-02-000000_index_items/up.sql")?.sections.map((s) => s.inTransaction)).toEqual([false, false]);
  });
});
