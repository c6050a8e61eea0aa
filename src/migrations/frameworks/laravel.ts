import type { Migration, SourceFile } from "../model.js";
import { findBraceMethod } from "./code/brace-functions.js";
import { upDownIssues, upDownSections } from "./code/down-checks.js";
import { maskCode } from "./code/mask.js";
import { laravelUpStatements } from "./code/orm-statements-laravel.js";
import { withGeneratedSql } from "./code/orm-statements-sql.js";
import { AUTO_DETECT } from "./detector.js";
import { buildMigration, splitVersionAndName } from "./support/migration.js";
import { basename, dirname, hasExtension } from "./support/paths.js";
import { sourceOf } from "./support/sections.js";
import { sortMigrations } from "./support/versions.js";
import { type Framework, GENERIC_ADD_DOWN } from "./framework.js";
import { NO_COUNTERPARTS } from "./support/counterparts.js";

/** `2026_01_01_000000_create_orders_table`. */
const MIGRATION_STEM = /^(\d{4}_\d{2}_\d{2}_\d{6}|\d+)_(.+)$/;

function readLaravelMigration(file: SourceFile): Migration {
  const source = sourceOf(file);
  const masked = maskCode(file.text, "php");
  const up = findBraceMethod(masked, /\bfunction\s+up\b/, "up");
  const down = findBraceMethod(masked, /\bfunction\s+down\b/, "down");
  const code = { source, masked, language: "php", up, down } as const;
  return buildMigration(
    {
      framework: "laravel",
      ...splitVersionAndName(basename(file.path).replace(/\.php$/i, ""), MIGRATION_STEM),
      files: [file.path],
      folder: dirname(file.path),
      // The up runs the calls' SQL; a down is read for rollback issues only (rollbackIssues).
      sections: upDownSections(code, !/\$withinTransaction\s*=\s*false\b/i.test(masked)).map((section) =>
        section.direction === "up" && up ? withGeneratedSql(section, laravelUpStatements(source, masked, up)) : section,
      ),
      rollback: "required",
      rollbackIssues: upDownIssues({ ...code, upLabel: "`up()`", downLabel: "`down()`", refusal: /\bthrow\b/ }),
    },
    [file],
  );
}

function isLaravelMigration(file: SourceFile, forced: boolean): boolean {
  if (!hasExtension(file.path, "php") || !/\bfunction\s+up\s*\(/.test(file.text)) return false;
  return forced || /(?:^|\/)database\/migrations\//.test(file.path) || /\bextends\s+Migration\b/.test(file.text);
}

/**
 * Laravel: `database/migrations/<YYYY_MM_DD_HHMMSS>_<name>.php` with `up()` and `down()`. Runs in
 * a transaction unless the class sets `$withinTransaction = false`.
 */
export const laravelFramework: Framework<"laravel"> = {
  id: "laravel",
  paths: ["**/migrations/**"],
  counterparts: NO_COUNTERPARTS,
  transaction: { wraps: true, optOut: "$withinTransaction = false" },
  texts: {
    addDown: GENERIC_ADD_DOWN,
    leaveTransaction: "in Laravel, set `public $withinTransaction = false;` on the migration class",
    concurrentIndex:
      "Laravel's `$table->index()` cannot build concurrently: run `DB::statement('CREATE INDEX CONCURRENTLY … ON … (…)')` instead, in a migration with `public $withinTransaction = false;` (CONCURRENTLY cannot run inside the transaction Laravel wraps a migration in). Keep it in a migration of its own.",
    notValidForeignKey:
      "Laravel's `foreign()`/`constrained()` validate at once: add the key with `DB::statement('ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY (…) REFERENCES … NOT VALID')`, then `DB::statement('ALTER TABLE … VALIDATE CONSTRAINT …')` in a later migration (SHARE UPDATE EXCLUSIVE: reads and writes go on).",
  },
  detect(files, context = AUTO_DETECT) {
    const mine = files.filter((file) => isLaravelMigration(file, context.forced));
    return { migrations: sortMigrations(mine.map(readLaravelMigration)), claimed: mine.map((file) => file.path) };
  },
};
