import { describe, expect, it } from "vitest";
import { createRelevantFileMatcher, selectRelevantFiles, type ChangedFile } from "../../src/migrations/relevant-files.js";

const isRelevant = createRelevantFileMatcher();

function changed(path: string, extra: Partial<ChangedFile> = {}): ChangedFile {
  return { path, status: "modified", additions: 1, deletions: 0, ...extra };
}

describe("which changed files are migrations or SQL", () => {
  it.each([
    "db/migrations/0001_add_users.up.sql", // golang-migrate, dbmate
    "migrations/20261126_init/up.sql", // Diesel
    "db/migrate/20261126120000_add_orders.rb", // Rails
    "db/schema.rb",
    "shop/orders/migrations/0007_order_status.py", // Django
    "alembic/versions/1a2b3c_add_orders.py",
    "services/api/alembic/versions/1a2b3c_add_orders.py",
    "prisma/migrations/20261126_init/migration.sql",
    "prisma/schema.prisma",
    "src/main/resources/db/migration/V2__add_index.sql", // Flyway
    "src/main/java/db/migration/V3__Backfill.java", // Flyway Java migration
    "src/Infrastructure/Migrations/20261126_AddOrders.cs", // EF Core
    "src/migration/1700000000000-AddOrders.ts", // TypeORM
    "database/migrations/2026_11_26_000000_create_orders_table.php", // Laravel
    "priv/repo/migrations/20261126_add_orders.exs", // Ecto
    "src/main/resources/db/changelog/changes/001-orders.xml", // Liquibase
    "sqitch.plan",
    "deploy/add_orders.sql", // sqitch
    "queries/report.sql",
    ".hidden/dir/report.sql",
  ])("%s is relevant", (path) => {
    expect(isRelevant(path)).toBe(true);
  });

  it.each([
    "README.md",
    "src/app.ts",
    "db/migrations/README.md",
    "migrations/.gitkeep",
    "docs/migrations.png",
    "node_modules/pkg/migrations/001.sql",
    "app/models/order.go",
  ])("%s is not", (path) => {
    expect(isRelevant(path)).toBe(false);
  });

  it("keeps the order given and marks SQL files", () => {
    const files = [changed("src/a.ts"), changed("db/migrate/1_x.rb"), changed("q/Report.SQL")];
    expect(selectRelevantFiles(files).map((f) => [f.path, f.kind])).toEqual([
      ["db/migrate/1_x.rb", "migration"],
      ["q/Report.SQL", "sql"],
    ]);
  });

  it("counts a migration moved out of its folder, by its old path", () => {
    const moved = changed("archive/0001_init.rb", { status: "renamed", previousPath: "db/migrate/0001_init.rb" });
    expect(selectRelevantFiles([moved])).toHaveLength(1);
  });

  it("takes configured globs instead of the defaults", () => {
    const only = createRelevantFileMatcher(["schema/**"], []);
    expect(selectRelevantFiles([changed("schema/a.txt"), changed("db/x.sql")], only).map((f) => f.path)).toEqual(["schema/a.txt"]);
  });
});
