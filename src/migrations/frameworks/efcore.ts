import type { Migration, SourceFile } from "../model.js";
import { findBraceMethod } from "./code/brace-functions.js";
import { upDownIssues, upDownSections } from "./code/down-checks.js";
import { maskCode } from "./code/mask.js";
import { AUTO_DETECT } from "./detector.js";
import { buildMigration, splitVersionAndName } from "./support/migration.js";
import { basename, dirname, hasExtension, joinPath } from "./support/paths.js";
import { sourceOf } from "./support/sections.js";
import { sortMigrations } from "./support/versions.js";
import { type Framework, GENERIC_ADD_DOWN } from "./framework.js";
import { sameFolder } from "./support/counterparts.js";
import { efcoreUpStatements } from "./code/efcore-sql.js";
import { withGeneratedUpSql } from "./code/orm-call-sql-sections.js";

function isGenerated(path: string): boolean {
  return /\.Designer\.cs$/i.test(path) || /ModelSnapshot\.cs$/i.test(path);
}

/** A migration's `.Designer.cs`, and the migration of a `.Designer.cs`. */
const DESIGNER_FILE = sameFolder((changed) => {
  if (/\.Designer\.cs$/i.test(changed)) {
    const migration = changed.replace(/\.Designer\.cs$/i, ".cs");
    return (listed) => listed === migration;
  }
  if (!/\.cs$/i.test(changed)) return undefined;
  const designer = changed.replace(/\.cs$/i, ".Designer.cs");
  return (listed) => listed === designer;
});

function readEfMigration(file: SourceFile, designer: SourceFile | undefined): Migration {
  const source = sourceOf(file);
  const masked = maskCode(file.text, "csharp");
  const up = findBraceMethod(masked, /\bvoid\s+Up\b/, "Up");
  const down = findBraceMethod(masked, /\bvoid\s+Down\b/, "Down");
  const code = { source, masked, language: "csharp", up, down } as const;
  const own = designer ? [file, designer] : [file];
  return buildMigration(
    {
      framework: "efcore",
      ...splitVersionAndName(basename(file.path).replace(/\.cs$/i, ""), /^(\d+)_(.+)$/),
      files: own.map((entry) => entry.path),
      folder: dirname(file.path),
      sections: withGeneratedUpSql(upDownSections(code, true), efcoreUpStatements(source, masked, up)),
      rollback: "required",
      rollbackIssues: upDownIssues({
        ...code,
        upLabel: "`Up(MigrationBuilder)`",
        downLabel: "`Down(MigrationBuilder)`",
        refusal: /\bthrow\b/,
      }),
    },
    own,
  );
}

function isEfMigration(file: SourceFile, forced: boolean): boolean {
  if (!hasExtension(file.path, "cs") || isGenerated(file.path)) return false;
  const overridesUp = /\bvoid\s+Up\s*\(\s*MigrationBuilder\b/.test(file.text);
  return overridesUp && (forced || /:\s*Migration\b/.test(file.text));
}

/**
 * EF Core: `Migrations/<timestamp>_<Name>.cs`, a `Migration` subclass overriding
 * `Up(MigrationBuilder)` and `Down(MigrationBuilder)` (without a Down override, reverting throws).
 * The `.Designer.cs` beside it belongs to the migration; the model snapshot is not a migration.
 * EF runs the migration in a transaction; the up section carries the SQL of its MigrationBuilder
 * calls, a `Sql(…, suppressTransaction: true)` outside it (./code/efcore-sql.ts).
 */
export const efcoreFramework: Framework<"efcore"> = {
  id: "efcore",
  paths: ["**/migrations/**"],
  counterparts: DESIGNER_FILE,
  transaction: { wraps: true, optOut: null },
  texts: {
    addDown: GENERIC_ADD_DOWN,
    leaveTransaction: "in EF Core, pass `suppressTransaction: true` to `migrationBuilder.Sql`",
    concurrentIndex:
      'Use `migrationBuilder.Sql("CREATE INDEX CONCURRENTLY …", suppressTransaction: true)` or Npgsql\'s `.Annotation("Npgsql:CreatedConcurrently", true)` on `CreateIndex`, which Npgsql runs outside the migration\'s transaction: CREATE INDEX CONCURRENTLY cannot run in one.',
  },
  detect(files, context = AUTO_DETECT) {
    const byPath = new Map(files.map((file) => [file.path, file]));
    const claimed: string[] = [];
    const migrations = files
      .filter((file) => isEfMigration(file, context.forced))
      .map((file) => {
        const designer = byPath.get(joinPath(dirname(file.path), basename(file.path).replace(/\.cs$/i, ".Designer.cs")));
        claimed.push(file.path, ...(designer ? [designer.path] : []));
        return readEfMigration(file, designer);
      });
    return { migrations: sortMigrations(migrations), claimed };
  },
};
