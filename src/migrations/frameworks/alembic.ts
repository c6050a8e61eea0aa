import type { Migration, SourceFile } from "../model.js";
import { upDownIssues, upDownSections } from "./code/down-checks.js";
import { maskCode } from "./code/mask.js";
import { alembicUpStatements } from "./code/orm-statements-alembic.js";
import { sectionsByTransaction } from "./code/orm-statements-sql.js";
import { findPythonFunctions } from "./code/python-blocks.js";
import { AUTO_DETECT } from "./detector.js";
import { buildMigration } from "./support/migration.js";
import { basename, dirname, hasExtension } from "./support/paths.js";
import { sourceOf } from "./support/sections.js";
import { type Framework, GENERIC_ADD_DOWN } from "./framework.js";
import { NO_COUNTERPARTS } from "./support/counterparts.js";

const REVISION = /^revision\s*(?::[^=\n]*)?=\s*['"]([^'"]+)['"]/m;
const DOWN_REVISION = /^down_revision\s*(?::[^=\n]*)?=\s*(.*)$/m;

interface AlembicRevision {
  migration: Migration;
  revision: string;
  parents: string[];
}

function readAlembicRevision(file: SourceFile): AlembicRevision {
  const source = sourceOf(file);
  const masked = maskCode(file.text, "python");
  const [up] = findPythonFunctions(masked, ["upgrade"]);
  const [down] = findPythonFunctions(masked, ["downgrade"]);
  const code = { source, masked, language: "python", up, down } as const;
  const stem = basename(file.path).replace(/\.py$/, "");
  const revision = REVISION.exec(file.text)?.[1] ?? stem;
  const slugAt = stem.indexOf(`${revision}_`);
  const parents = [...(DOWN_REVISION.exec(file.text)?.[1] ?? "").matchAll(/['"]([^'"]+)['"]/g)].map((match) => match[1] ?? "");
  const migration = buildMigration(
    {
      framework: "alembic",
      version: revision,
      name: slugAt >= 0 ? stem.slice(slugAt + revision.length + 1) : stem,
      files: [file.path],
      folder: dirname(file.path),
      // The up runs the calls' SQL (autocommit blocks outside the transaction); a down is read
      // for rollback issues only (rollbackIssues).
      sections: upDownSections(code, true).flatMap((section) =>
        section.direction === "up" && up ? sectionsByTransaction(section, alembicUpStatements(source, masked, up)) : [section],
      ),
      rollback: "required",
      rollbackIssues: upDownIssues({
        ...code,
        upLabel: "`upgrade()`",
        downLabel: "`downgrade()`",
        refusal: /\braise\s+(?:NotImplementedError|[\w.]*Irreversible\w*)\b/,
      }),
    },
    [file],
  );
  return { migration, revision, parents };
}

/** Revisions in the order Alembic applies them: by distance from the base along `down_revision`, then by path. */
function orderRevisions(revisions: readonly AlembicRevision[]): Migration[] {
  const byRevision = new Map(revisions.map((entry) => [entry.revision, entry]));
  const depths = new Map<string, number>();
  const depthOf = (entry: AlembicRevision, seen: Set<string>): number => {
    const known = depths.get(entry.revision);
    if (known !== undefined) return known;
    seen.add(entry.revision);
    const parentDepths = entry.parents.map((parent) => {
      const parentEntry = byRevision.get(parent);
      return parentEntry && !seen.has(parent) ? depthOf(parentEntry, seen) : 0;
    });
    const depth = 1 + Math.max(0, ...parentDepths);
    depths.set(entry.revision, depth);
    return depth;
  };
  const key = (entry: AlembicRevision): [string, number, string] => [entry.migration.folder, depthOf(entry, new Set()), entry.migration.files[0] ?? ""];
  return [...revisions]
    .sort((a, b) => {
      const [folderA, depthA, pathA] = key(a);
      const [folderB, depthB, pathB] = key(b);
      if (folderA !== folderB) return folderA < folderB ? -1 : 1;
      if (depthA !== depthB) return depthA - depthB;
      return pathA < pathB ? -1 : pathA > pathB ? 1 : 0;
    })
    .map((entry) => entry.migration);
}

function isAlembicRevision(file: SourceFile, forced: boolean): boolean {
  if (!hasExtension(file.path, "py") || !/^(?:async[ \t]+)?def[ \t]+upgrade[ \t]*\(/m.test(file.text)) return false;
  return forced || basename(dirname(file.path)) === "versions" || DOWN_REVISION.test(file.text);
}

/**
 * Alembic: `versions/<rev>_<slug>.py` with `upgrade()` and `downgrade()`; version is the
 * `revision` id, and revisions come in `down_revision` order. Runs in a transaction (transactional
 * DDL); calls inside `with op.get_context().autocommit_block():` run outside it.
 */
export const alembicFramework: Framework<"alembic"> = {
  id: "alembic",
  paths: ["**/alembic/versions/**", "alembic/versions/**"],
  counterparts: NO_COUNTERPARTS,
  transaction: { wraps: true, optOut: null },
  texts: {
    addDown: GENERIC_ADD_DOWN,
    leaveTransaction: "in Alembic, run it inside `with op.get_context().autocommit_block():`",
    concurrentIndex:
      "Build it with `op.create_index(…, postgresql_concurrently=True)` inside `with op.get_context().autocommit_block():` (CREATE INDEX CONCURRENTLY cannot run inside the transaction Alembic runs a migration in), and drop it the same way in `downgrade()`.",
    notValidForeignKey:
      'Add it with NOT VALID: `op.create_foreign_key(…, postgresql_not_valid=True)` or `op.execute("ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY (…) REFERENCES … NOT VALID")`; then `op.execute("ALTER TABLE … VALIDATE CONSTRAINT …")` in a later revision: validation takes only SHARE UPDATE EXCLUSIVE, so reads and writes go on.',
  },
  detect(files, context = AUTO_DETECT) {
    const mine = files.filter((file) => isAlembicRevision(file, context.forced));
    return { migrations: orderRevisions(mine.map(readAlembicRevision)), claimed: mine.map((file) => file.path) };
  },
};
