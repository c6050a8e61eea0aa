import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { detectMigrations } from "../../../src/migrations/detect.js";
import { FRAMEWORK_IDS, type FrameworkId } from "../../../src/migrations/framework-ids.js";
import type { Framework } from "../../../src/migrations/frameworks/framework.js";
import { DETECTION_ORDER, FRAMEWORKS } from "../../../src/migrations/frameworks/index.js";
import type { Migration, SourceFile } from "../../../src/migrations/model.js";
import { filesToRead, foldersToList, type FolderEntry } from "../../../src/migrations/read-plan.js";
import { DEFAULT_INCLUDE_GLOBS } from "../../../src/migrations/relevant-files.js";
import { loadFixture } from "./load-fixture.js";

/**
 * Each framework against its fixture folder (test/fixtures/frameworks/<id>), as `lint` reads a
 * whole folder and as the review reads a pull request: the changed file, then what the read plan
 * finds from folder listings. What matters is that both see the same migration.
 */

function folderOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** Folder listings of a set of files, as GitHub or git would give them. */
function listingsOf(files: readonly SourceFile[]): Map<string, FolderEntry[]> {
  const listings = new Map<string, FolderEntry[]>();
  for (const file of files) {
    const folder = folderOf(file.path);
    const entries = listings.get(folder) ?? [];
    entries.push({ name: file.path.slice(folder.length === 0 ? 0 : folder.length + 1), path: file.path, size: file.text.length, type: "file" });
    listings.set(folder, entries);
  }
  return listings;
}

/** What the review (and `lint`) reads when only `changed` changed: the read plan, every framework's finder asked. */
function gathered(changed: string, files: readonly SourceFile[]): SourceFile[] {
  const all = listingsOf(files);
  const listed = new Map(foldersToList([changed]).map((folder) => [folder, all.get(folder) ?? []]));
  const paths = new Set(filesToRead([changed], listed));
  return files.filter((file) => paths.has(file.path));
}

/** What one framework's finder alone brings (another framework's finder must not be what finds its down). */
function foundBy(framework: Framework, changed: string, files: readonly SourceFile[]): SourceFile[] {
  const all = listingsOf(files);
  const folders = [folderOf(changed), ...framework.counterparts.folders(changed)];
  const listed = new Map(folders.map((folder) => [folder, all.get(folder) ?? []]));
  const paths = new Set([changed, ...framework.counterparts.files(changed, listed)]);
  return files.filter((file) => paths.has(file.path));
}

function sectionFiles(migration: Migration): string[] {
  return [...new Set(migration.sections.map((section) => section.path))];
}

/** Sections as `direction path`: which files the up and the down come from. */
function sectionShape(migration: Migration | undefined): string[] {
  return (migration?.sections ?? []).map((section) => `${section.direction} ${section.path}`);
}

function fixtureOf(id: FrameworkId): { files: SourceFile[]; all: Migration[]; migrations: Migration[] } {
  const files = loadFixture(`frameworks/${id}`);
  const all = detectMigrations(files);
  return { files, all, migrations: all.filter((migration) => migration.framework === id) };
}

/** The migration holding `path` (in a file of several, the one with that version). */
function migrationOf(migrations: readonly Migration[], path: string, version: string): Migration | undefined {
  const holding = migrations.filter((migration) => migration.files.includes(path));
  return holding.length === 1 ? holding[0] : holding.find((migration) => migration.version === version);
}

/** Frameworks whose fixture has no down to find: no down exists in them, or only when forced (sqlx, below). */
const WITHOUT_DOWNS: ReadonlySet<FrameworkId> = new Set(["sqlx", "drizzle", "plain-sql", "django"]);

describe("the framework registry", () => {
  it("files every framework under its own id, and detects each one", () => {
    expect(Object.keys(FRAMEWORKS)).toEqual([...FRAMEWORK_IDS]);
    for (const [id, framework] of Object.entries(FRAMEWORKS)) expect(framework.id).toBe(id);
    expect([...DETECTION_ORDER].sort()).toEqual([...FRAMEWORK_IDS].sort());
  });

  it("takes the default include globs from the frameworks, each once", () => {
    const own = new Set(Object.values(FRAMEWORKS).flatMap((framework) => framework.paths));
    expect([...DEFAULT_INCLUDE_GLOBS].sort()).toEqual([...own].sort());
    expect(new Set(DEFAULT_INCLUDE_GLOBS).size).toBe(DEFAULT_INCLUDE_GLOBS.length);
  });
});

describe.each(FRAMEWORK_IDS.map((id) => [id]))("%s", (id) => {
  const framework = FRAMEWORKS[id];
  const { files, all, migrations } = fixtureOf(id);

  it("has migrations in its fixture, with a down to find where the framework has downs", () => {
    expect(migrations.length).toBeGreaterThan(0);
    const withDown = migrations.filter((migration) => migration.sections.some((section) => section.direction === "down"));
    expect(withDown.length > 0).toBe(!WITHOUT_DOWNS.has(id));
  });

  it("finds its own down from a folder listing: a changed up file brings every file of its migration's sections", () => {
    for (const migration of migrations) {
      const ups = new Set(migration.sections.filter((section) => section.direction === "up").map((section) => section.path));
      for (const changed of ups) {
        const own = foundBy(framework, changed, files);
        expect([changed, own.map((file) => file.path)]).toEqual([changed, expect.arrayContaining(sectionFiles(migration))]);
        const seen = migrationOf(detectMigrations(gathered(changed, files)), changed, migration.version);
        expect([changed, sectionShape(seen)]).toEqual([changed, sectionShape(migration)]);
      }
    }
  });

  it("declares the transaction its detector gives: wrapped unless the migration carries the opt-out", () => {
    for (const migration of migrations) {
      const shared = all.some((other) => other !== migration && other.files.some((path) => migration.files.includes(path)));
      const text = migration.files
        .map((path) => {
          const whole = files.find((file) => file.path === path)?.text ?? "";
          if (!shared) return whole;
          // One file, several migrations (Liquibase changesets): the migration's own lines, header included.
          const own = migration.sections.filter((section) => section.path === path);
          const from = whole.lastIndexOf("\n", Math.max(0, Math.min(...own.map((section) => section.start)) - 2)) + 1;
          return whole.slice(from, Math.max(...own.map((section) => section.end)));
        })
        .join("\n");
      const optedOut = framework.transaction.optOut !== null && text.includes(framework.transaction.optOut);
      const expected = framework.transaction.wraps && !optedOut;
      for (const section of migration.sections) {
        expect([migration.files[0], section.direction, section.inTransaction]).toEqual([migration.files[0], section.direction, expected]);
      }
    }
  });

  it("lists globs that match every file of its migrations", () => {
    const matches = picomatch([...framework.paths], { dot: true, nocase: true });
    const unmatched = migrations.flatMap((migration) => migration.files).filter((path) => !matches(path));
    expect(unmatched).toEqual([]);
  });
});

describe("sqlx reversible migrations (read as sqlx only when configured)", () => {
  it("finds the down file of a changed up file", () => {
    const files: SourceFile[] = [
      { path: "migrations/20260101000000_users.up.sql", text: "CREATE TABLE users (id bigint);\n" },
      { path: "migrations/20260101000000_users.down.sql", text: "DROP TABLE users;\n" },
      { path: "migrations/20260102000000_other.up.sql", text: "SELECT 1;\n" },
    ];
    expect(foundBy(FRAMEWORKS.sqlx, "migrations/20260101000000_users.up.sql", files).map((file) => file.path)).toEqual([
      "migrations/20260101000000_users.up.sql",
      "migrations/20260101000000_users.down.sql",
    ]);
    const read = gathered("migrations/20260101000000_users.up.sql", files);
    expect(read.map((file) => file.path)).toEqual(["migrations/20260101000000_users.up.sql", "migrations/20260101000000_users.down.sql"]);
    const [migration] = detectMigrations(read, { framework: "sqlx" });
    expect([migration?.framework, sectionShape(migration)]).toEqual([
      "sqlx",
      ["up migrations/20260101000000_users.up.sql", "down migrations/20260101000000_users.down.sql"],
    ]);
  });
});
