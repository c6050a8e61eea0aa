import type { SourceText } from "../../sql/source-text.js";
import type { Migration, MigrationSection, RollbackIssue, SourceFile } from "../model.js";
import { type Argument, matchingBracket, splitArguments } from "./code/brackets.js";
import { isEmptyBody, lineOf } from "./code/down-checks.js";
import { maskCode } from "./code/mask.js";
import { DjangoSchemaState, djangoStatements } from "./code/orm-statements-django.js";
import { withGeneratedSql } from "./code/orm-statements-sql.js";
import { findPythonFunctions } from "./code/python-blocks.js";
import { AUTO_DETECT } from "./detector.js";
import { buildMigration, splitVersionAndName } from "./support/migration.js";
import { basename, dirname, hasExtension } from "./support/paths.js";
import { codeBodySection, sourceOf } from "./support/sections.js";
import { sortMigrations } from "./support/versions.js";
import { type Framework, GENERIC_ADD_DOWN } from "./framework.js";
import { NO_COUNTERPARTS } from "./support/counterparts.js";

const MIGRATION_FILE = /^(\d+)_(\w+)\.py$/;

const REVERSE_ARGUMENT = { RunPython: "reverse_code", RunSQL: "reverse_sql" } as const;
type ReversibleOperation = keyof typeof REVERSE_ARGUMENT;

function isKeyword(argument: Argument): boolean {
  return /^[A-Za-z_]\w*\s*=(?!=)/.test(argument.masked);
}

/** The source text of an operation's reverse argument (positional second, or `reverse_…=`), if given. */
function reverseArgument(text: string, args: readonly Argument[], keyword: string): string | undefined {
  const positional = args.filter((argument) => !isKeyword(argument));
  const named = args.find((argument) => new RegExp(`^${keyword}\\s*=`).test(argument.masked));
  const argument = named ?? positional[1];
  if (!argument) return undefined;
  const source = text.slice(argument.start, argument.end);
  return named ? source.replace(/^[^=]*=/, "").trim() : source.trim();
}

const EMPTY_SQL = /^(?:[rRbBuU]*(?:""|'')|""""""|''''''|\[\s*\]|\(\s*\))$/;

/**
 * `RunPython` without `reverse_code` and `RunSQL` without `reverse_sql` make Django refuse to
 * migrate backwards past them; an empty reverse (`reverse_sql=""`, a reverse function that only
 * passes) reverses to nothing. `RunPython.noop` / `RunSQL.noop` are explicit and fine.
 */
function operationIssues(source: SourceText, masked: string): RollbackIssue[] {
  const issues: RollbackIssue[] = [];
  const operation = /\b(RunPython|RunSQL)\s*\(/g;
  for (let match = operation.exec(masked); match; match = operation.exec(masked)) {
    const name = match[1] as ReversibleOperation;
    const open = match.index + match[0].length - 1;
    const close = matchingBracket(masked, open);
    if (close < 0) continue;
    const keyword = REVERSE_ARGUMENT[name];
    const reverse = reverseArgument(source.text, splitArguments(masked, open + 1, close), keyword);
    const line = lineOf(source, match.index);
    if (reverse === undefined || reverse === "None") {
      issues.push({ kind: "irreversible-down", path: source.path, line, detail: `${name} without ${keyword}: Django cannot migrate backwards past it` });
    } else if (name === "RunSQL" && EMPTY_SQL.test(reverse)) {
      issues.push({ kind: "empty-down", path: source.path, line, detail: `RunSQL with an empty ${keyword}: reversing it does nothing` });
    } else if (name === "RunPython" && /^[A-Za-z_]\w*$/.test(reverse)) {
      const reverseFunction = findPythonFunctions(masked, [reverse])[0];
      if (reverseFunction && isEmptyBody(masked.slice(reverseFunction.bodyStart, reverseFunction.bodyEnd), "python")) {
        issues.push({ kind: "empty-down", path: source.path, line, detail: `RunPython ${keyword} \`${reverse}\` does nothing` });
      }
    }
    operation.lastIndex = close;
  }
  return issues;
}

/**
 * The `operations = [ … ]` list: what the migration does (Django derives the reverse from it),
 * with the SQL its operations issue; `state` is what the app's earlier migrations set up.
 */
function operationsSection(source: SourceText, masked: string, inTransaction: boolean, state: DjangoSchemaState): MigrationSection[] {
  const list = /^[ \t]*operations\s*(?::[^=\n]*)?=\s*\[/m.exec(masked);
  if (!list) return [];
  const open = list.index + list[0].length - 1;
  const close = matchingBracket(masked, open);
  if (close < 0) return [];
  const section = codeBodySection(source, open + 1, close, lineOf(source, open), { direction: "up", language: "python", inTransaction });
  // The app label: the folder that holds `migrations/` (hc/api/migrations → api).
  const folder = basename(dirname(dirname(source.path)));
  const app = folder === "" || folder === "." ? "app" : folder;
  return [withGeneratedSql(section, djangoStatements(source, masked, open, app, state))];
}

function readDjangoMigration(file: SourceFile, state: DjangoSchemaState): Migration {
  const source = sourceOf(file);
  const masked = maskCode(file.text, "python");
  const inTransaction = !/^[ \t]*atomic\s*=\s*False\b/m.test(masked);
  return buildMigration(
    {
      framework: "django",
      ...splitVersionAndName(basename(file.path).replace(/\.py$/, ""), /^(\d+)_(\w+)$/),
      files: [file.path],
      folder: dirname(file.path),
      sections: operationsSection(source, masked, inTransaction, state),
      rollback: "required",
      rollbackIssues: operationIssues(source, masked),
    },
    [file],
  );
}

function isDjangoMigration(file: SourceFile, forced: boolean): boolean {
  if (!hasExtension(file.path, "py") || !/\bclass\s+Migration\s*\(/.test(file.text)) return false;
  return forced || (basename(dirname(file.path)) === "migrations" && MIGRATION_FILE.test(basename(file.path)));
}

/**
 * Django: `<app>/migrations/NNNN_<name>.py` with `class Migration`. Built-in operations reverse
 * themselves, so the only section is the `operations` list (up); rollback problems are the
 * `RunPython`/`RunSQL` operations without a reverse. Runs in a transaction unless `atomic = False`.
 */
export const djangoFramework: Framework<"django"> = {
  id: "django",
  paths: ["**/migrations/**"],
  counterparts: NO_COUNTERPARTS,
  transaction: { wraps: true, optOut: "atomic = False" },
  texts: {
    addDown: GENERIC_ADD_DOWN,
    leaveTransaction: "in Django, set `atomic = False` on the Migration class",
    concurrentIndex:
      "Use `AddIndexConcurrently` (from django.contrib.postgres.operations) instead of `AddIndex`, in a migration with `atomic = False`: CONCURRENTLY cannot run inside the transaction Django wraps a migration in. Keep it in a migration of its own.",
    notValidForeignKey:
      'Django validates foreign keys as it adds them: add the field with `db_constraint=False`, then add the constraint NOT VALID with `RunSQL("ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY (…) REFERENCES … NOT VALID")` and VALIDATE CONSTRAINT it in a later migration (SHARE UPDATE EXCLUSIVE: reads and writes go on).',
  },
  detect(files, context = AUTO_DETECT) {
    const mine = files.filter((file) => isDjangoMigration(file, context.forced));
    // An app's migrations in name order (NNNN_…), each reading the fields the earlier ones left.
    const states = new Map<string, DjangoSchemaState>();
    const stateOf = (file: SourceFile): DjangoSchemaState => {
      const folder = dirname(file.path);
      const state = states.get(folder) ?? new DjangoSchemaState();
      states.set(folder, state);
      return state;
    };
    const inOrder = [...mine].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { migrations: sortMigrations(inOrder.map((file) => readDjangoMigration(file, stateOf(file)))), claimed: mine.map((file) => file.path) };
  },
};
