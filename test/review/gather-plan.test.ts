import { describe, expect, it } from "vitest";
import { filesToRead, foldersToList, type FolderEntry } from "../../src/review/gather-plan.js";

function listing(folder: string, names: string[]): [string, FolderEntry[]] {
  return [folder, names.map((name) => ({ name, path: folder ? `${folder}/${name}` : name, size: 10, type: "file" as const }))];
}

describe("what the review reads besides the changed files", () => {
  it("pairs an up file with its down, and nothing else of the folder", () => {
    const listings = new Map([listing("db/migrations", ["0001_a.up.sql", "0001_a.down.sql", "0002_b.up.sql", "0002_b.down.sql"])]);
    expect(filesToRead(["db/migrations/0002_b.up.sql"], listings)).toEqual(["db/migrations/0002_b.down.sql", "db/migrations/0002_b.up.sql"]);
  });

  it("reads a whole Diesel migration folder (up, down, metadata.toml)", () => {
    const folder = "migrations/2026-01-02-000000_index_items";
    const listings = new Map([listing(folder, ["up.sql", "down.sql", "metadata.toml"])]);
    expect(filesToRead([`${folder}/up.sql`], listings)).toEqual([`${folder}/down.sql`, `${folder}/metadata.toml`, `${folder}/up.sql`]);
  });

  it("finds a Flyway undo script and a sqitch revert script", () => {
    const listings = new Map([
      listing("sql", ["V2__add_index.sql", "U2__add_index.sql", "V3__other.sql"]),
      listing("deploy", ["users.sql"]),
      listing("revert", ["users.sql"]),
    ]);
    expect(filesToRead(["sql/V2__add_index.sql"], listings)).toEqual(["sql/U2__add_index.sql", "sql/V2__add_index.sql"]);
    expect(foldersToList(["deploy/users.sql"])).toEqual(["deploy", "revert"]);
    expect(filesToRead(["deploy/users.sql"], listings)).toEqual(["deploy/users.sql", "revert/users.sql"]);
  });

  it("reads an EF Core migration's Designer file and a Flyway script's config file", () => {
    const listings = new Map([
      listing("Migrations", ["20260101_Init.cs", "20260101_Init.Designer.cs", "ShopModelSnapshot.cs"]),
      listing("sql", ["V1.1__a.sql", "V1.1__a.sql.conf", "V1.10__b.sql"]),
    ]);
    expect(filesToRead(["Migrations/20260101_Init.cs"], listings)).toEqual(["Migrations/20260101_Init.Designer.cs", "Migrations/20260101_Init.cs"]);
    expect(filesToRead(["sql/V1.1__a.sql"], listings)).toEqual(["sql/V1.1__a.sql", "sql/V1.1__a.sql.conf"]);
  });

  it("does not read sub-folders or files of other migrations", () => {
    const listings = new Map<string, FolderEntry[]>([
      [
        "db",
        [
          { name: "migrate", path: "db/migrate", size: 0, type: "dir" },
          { name: "schema.rb", path: "db/schema.rb", size: 5, type: "file" },
        ],
      ],
    ]);
    expect(filesToRead(["db/seeds.rb"], listings)).toEqual(["db/seeds.rb"]);
  });
});
