import type { FrameworkId, Migration, SourceFile } from "../../model.js";
import type { SourceText } from "../../../sql/source-text.js";
import { findJsFunction } from "../code/brace-functions.js";
import type { CodeBlock } from "../code/code-block.js";
import { type OrmStatement, withGeneratedUpSql } from "../code/orm-call-sql-sections.js";
import { upDownIssues, upDownSections } from "../code/down-checks.js";
import { maskCode } from "../code/mask.js";
import { buildMigration } from "./migration.js";
import { basename, dirname, hasExtension } from "./paths.js";
import { sourceOf } from "./sections.js";

export function isJsOrTsSource(path: string): boolean {
  const name = basename(path).toLowerCase();
  if (name.endsWith(".d.ts") || /\.(?:test|spec)\.[cm]?[jt]s$/.test(name)) return false;
  return hasExtension(path, "js", "mjs", "cjs", "ts", "mts", "cts");
}

export function jsLanguage(path: string): "javascript" | "typescript" {
  return hasExtension(path, "ts", "mts", "cts") ? "typescript" : "javascript";
}

/** Whether a JavaScript/TypeScript file defines an `up` function in one of the shapes migrations use. */
export function definesUp(file: SourceFile): boolean {
  return findJsFunction(maskCode(file.text, jsLanguage(file.path)), "up") !== undefined;
}

export function fileStem(path: string): string {
  return basename(path).replace(/\.[cm]?[jt]s$/i, "");
}

/** The statements an ORM's calls in `up` issue (./code/js-orm-*-sql.ts). */
export type JsUpStatements = (source: SourceText, masked: string, up: CodeBlock | undefined) => OrmStatement[];

/**
 * A JavaScript/TypeScript migration with `up` and `down` functions (Knex, Sequelize, TypeORM):
 * the function bodies are the sections; a missing, empty or throwing `down` is reported. With
 * `upStatements`, the up section carries the SQL its calls issue.
 */
export function readJsMigration(
  file: SourceFile,
  fields: { framework: FrameworkId; version: string; name: string; inTransaction: boolean; upStatements?: JsUpStatements },
): Migration {
  const language = jsLanguage(file.path);
  const source = sourceOf(file);
  const masked = maskCode(file.text, language);
  const code = { source, masked, language, up: findJsFunction(masked, "up"), down: findJsFunction(masked, "down") };
  return buildMigration(
    {
      framework: fields.framework,
      version: fields.version,
      name: fields.name,
      files: [file.path],
      folder: dirname(file.path),
      sections: withGeneratedUpSql(upDownSections(code, fields.inTransaction), fields.upStatements?.(source, masked, code.up) ?? []),
      rollback: "required",
      rollbackIssues: upDownIssues({ ...code, upLabel: "`up`", downLabel: "`down`", refusal: /\bthrow\b|\bPromise\.reject\s*\(/ }),
    },
    [file],
  );
}
