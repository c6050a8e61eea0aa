import { describe, expect, it } from "vitest";
import { detectMigrations } from "../../../src/migrations/detect.js";
import { loadFixture } from "./load-fixture.js";
import { byVersion, describeIssues, describeSections, sectionText } from "./summaries.js";

describe("Laravel", () => {
  const files = loadFixture("frameworks/laravel");
  const migrations = detectMigrations(files);
  const path = (version: string) => byVersion(migrations, version).files[0] ?? "";

  it("reads database/migrations/*.php, the up() and down() bodies as PHP sections", () => {
    expect(migrations.map((m) => [m.framework, m.version, m.name])).toEqual([
      ["laravel", "2026_01_01_000000", "create_flights_table"],
      ["laravel", "2026_01_02_000000", "add_airline_to_flights"],
      ["laravel", "2026_01_03_000000", "add_gate_to_flights"],
      ["laravel", "2026_01_04_000000", "drop_legacy_flights"],
    ]);
    const flights = byVersion(migrations, "2026_01_01_000000");
    expect(describeSections(flights)).toEqual([`up ${path("2026_01_01_000000")} L14-17 tx`, `down ${path("2026_01_01_000000")} L25-25 tx`]);
    expect(flights.sections[0]?.language).toBe("php");
    expect(sectionText(files, flights.sections[1])).toBe("        Schema::drop('flights');\n");
    expect(describeIssues(flights)).toEqual([]);
  });

  it("reports a comment-only down() as empty and honours $withinTransaction = false", () => {
    const airline = byVersion(migrations, "2026_01_02_000000");
    expect(describeIssues(airline)).toEqual(["empty-down 18: `down()` is empty: rolling back does nothing"]);
    expect(airline.sections.map((s) => s.inTransaction)).toEqual([false, false]);
  });

  it("reports a missing down() (past a heredoc) and a throwing one", () => {
    expect(describeSections(byVersion(migrations, "2026_01_03_000000"))).toEqual([`up ${path("2026_01_03_000000")} L10-12 tx`]);
    expect(describeIssues(byVersion(migrations, "2026_01_03_000000"))).toEqual(["missing-down 8: `up()` has no `down()`"]);
    expect(describeIssues(byVersion(migrations, "2026_01_04_000000"))).toEqual([
      "irreversible-down 15: `down()` refuses to run: throw new RuntimeException('legacy_flights cannot be restored');",
    ]);
  });
});

describe("Ecto", () => {
  const migrations = detectMigrations(loadFixture("frameworks/ecto"));
  const path = (version: string) => byVersion(migrations, version).files[0] ?? "";

  it("reads priv/repo/migrations/*.exs, change as the up section", () => {
    expect(migrations.map((m) => [m.framework, m.version, m.name])).toEqual([
      ["ecto", "20260101000000", "create_posts"],
      ["ecto", "20260102000000", "raw_sql"],
      ["ecto", "20260103000000", "backfill"],
      ["ecto", "20260104000000", "add_slug"],
      ["ecto", "20260105000000", "purge"],
    ]);
    const posts = byVersion(migrations, "20260101000000");
    expect(describeSections(posts)).toEqual([`up ${path("20260101000000")} L5-10 tx`]);
    expect(posts.sections[0]?.language).toBe("elixir");
    expect(describeIssues(posts)).toEqual([]);
  });

  it("reports execute/1 and remove/1 in change, and honours @disable_ddl_transaction", () => {
    const raw = byVersion(migrations, "20260102000000");
    expect(describeIssues(raw)).toEqual([
      "irreversible-operation 6: `execute/1` in `change` cannot be reversed: use `execute/2` (up and down SQL) or `up`/`down`",
      "irreversible-operation 11: `remove/1` in `change` cannot be reversed: give the column type (`remove/2`, `remove/3`)",
      "irreversible-operation 15: `execute/1` in `change` cannot be reversed: use `execute/2` (up and down SQL) or `up`/`down`",
    ]);
    expect(describeSections(raw)).toEqual([`up ${path("20260102000000")} L6-15 no-tx`]);
  });

  it("reports a missing down, a `do: :ok` down as empty, and a raising down", () => {
    expect(describeIssues(byVersion(migrations, "20260103000000"))).toEqual(["missing-down 4: `up` has no `down`"]);
    expect(describeIssues(byVersion(migrations, "20260104000000"))).toEqual(["empty-down 10: `down` is empty: rolling back does nothing"]);
    expect(describeSections(byVersion(migrations, "20260104000000"))).toEqual([
      `up ${path("20260104000000")} L5-7 tx`,
      `down ${path("20260104000000")} L10-10 tx`,
    ]);
    expect(describeIssues(byVersion(migrations, "20260105000000"))).toEqual([
      'irreversible-down 9: `down` refuses to run: raise "purged posts cannot be restored"',
    ]);
  });
});

describe("EF Core", () => {
  const migrations = detectMigrations(loadFixture("frameworks/efcore"));
  const folder = "src/Shop/Migrations";

  it("reads Migration subclasses, with the Designer file but not the model snapshot", () => {
    expect(migrations.map((m) => [m.framework, m.version, m.name, m.folder])).toEqual([
      ["efcore", "20260101000000", "InitialCreate", folder],
      ["efcore", "20260102000000", "AddRating", folder],
      ["efcore", "20260103000000", "AddOwner", folder],
      ["efcore", "20260104000000", "DropPosts", folder],
    ]);
    const initial = byVersion(migrations, "20260101000000");
    expect(initial.files).toEqual([`${folder}/20260101000000_InitialCreate.cs`, `${folder}/20260101000000_InitialCreate.Designer.cs`]);
    expect(describeSections(initial)).toEqual([`up ${initial.files[0]} L13-23 tx`, `down ${initial.files[0]} L29-30 tx`]);
    expect(initial.sections[0]?.language).toBe("csharp");
    expect(describeIssues(initial)).toEqual([]);
  });

  it("reports an empty Down, a missing Down (expression-bodied Up) and a throwing Down", () => {
    expect(describeIssues(byVersion(migrations, "20260102000000"))).toEqual(["empty-down 12: `Down(MigrationBuilder)` is empty: rolling back does nothing"]);
    expect(describeIssues(byVersion(migrations, "20260103000000"))).toEqual(["missing-down 7: `Up(MigrationBuilder)` has no `Down(MigrationBuilder)`"]);
    expect(describeSections(byVersion(migrations, "20260103000000"))).toEqual([`up ${folder}/20260103000000_AddOwner.cs L8-8 tx`]);
    const drop = byVersion(migrations, "20260104000000");
    expect(describeIssues(drop)).toEqual([
      'irreversible-down 16: `Down(MigrationBuilder)` refuses to run: throw new NotSupportedException("Posts cannot be restored");',
    ]);
    expect(drop.irreversible).toEqual({ reason: "posts are exported before this runs", path: `${folder}/20260104000000_DropPosts.cs`, line: 10 });
  });
});
