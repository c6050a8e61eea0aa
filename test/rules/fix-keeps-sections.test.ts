import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { collectFiles } from "../../src/migrations/collect-files.js";
import { detectMigrations } from "../../src/migrations/detect.js";
import type { FrameworkId, Migration, SourceFile } from "../../src/migrations/model.js";
import { applyFix, redetect } from "../../src/rules/fix-apply.js";
import { fixKeepsSections, sameSections, SECTIONS_FROM_LINES } from "../../src/rules/fix-keeps-sections.js";
import type { Fix } from "../../src/rules/types.js";
import { FIXTURE_FOLDERS } from "../helpers/fixture-folders.js";

/**
 * fixKeepsSections says a fix cannot change how its framework lays out the migration's sections;
 * the fix check's shortcut then does not read the fixed files again. Proven here by reading them
 * again: every line (and pair of lines) of every SQL file of every fixture migration of the
 * listed frameworks is rewritten with the words their detection looks for, outside a comment
 * (BEGIN, CONCURRENTLY, `+goose Up`, `migrate:up transaction:false`, `no-transaction`,
 * `statement-breakpoint`); wherever fixKeepsSections says yes, the sections must be the same. A
 * framework that began to read a statement's words would fail here. The cases after it show that
 * each condition it checks is needed: without it, the sections change.
 */

const ROOT = join(import.meta.dirname, "../..");

const FOLDERS = FIXTURE_FOLDERS;

/** What a rewrite writes, by the number of lines it replaces: the markers' words, never a comment. */
const WRITTEN: Record<number, string[]> = {
  1: [
    "BEGIN; CREATE INDEX CONCURRENTLY x ON t (a); COMMIT;",
    "+goose Up +goose NO TRANSACTION migrate:up transaction:false",
    "no-transaction statement-breakpoint runInTransaction:false -",
    "  \tCREATE INDEX x ON t (a);\r",
    "DROP INDEX CONCURRENTLY x;\u2028migrate:down",
  ],
  2: ["+goose StatementBegin\n+goose StatementEnd", "BEGIN;\nCOMMIT;\n", "\nmigrate:up transaction:false", "x\r\n+goose Down"],
};

function fixed(own: readonly SourceFile[], path: string, fix: Fix): SourceFile[] {
  return own.map((file) => (file.path === path ? { ...file, text: applyFix(file.text, fix) } : file));
}

/** The migration read again from `files` has the sections it has from its own files as they are. */
function sameReading(migration: Migration, asIs: Migration | undefined, files: readonly SourceFile[]): boolean {
  const again = redetect(migration, files);
  if (asIs === undefined || again === undefined) return asIs === again;
  return sameSections(asIs.sections, again.sections);
}

describe("a fix that fixKeepsSections passes leaves the sections as detection lays them out", () => {
  it("on every line of every fixture migration of the listed frameworks, rewritten with the markers' words", async () => {
    const rewritten = new Map<FrameworkId, number>();
    let refused = 0;
    for (const folder of FOLDERS) {
      const { files } = await collectFiles([join(ROOT, folder)], ROOT);
      const byPath = new Map(files.map((file) => [file.path, file]));
      for (const migration of detectMigrations(files, {})) {
        if (!SECTIONS_FROM_LINES.has(migration.framework)) continue;
        const own = migration.files.flatMap((path) => byPath.get(path) ?? []);
        const asIs = redetect(migration, own);
        for (const path of new Set(migration.sections.map((section) => section.path))) {
          const lines = (byPath.get(path)?.text ?? "").split("\n");
          for (let line = 1; line <= lines.length; line++) {
            for (const [span, texts] of Object.entries(WRITTEN)) {
              for (const replacement of texts) {
                const fix: Fix = { title: "t", line, endLine: line + Number(span) - 1, replacement };
                if (!fixKeepsSections(migration.framework, fix, lines)) {
                  refused++;
                  continue;
                }
                expect(sameReading(migration, asIs, fixed(own, path, fix)), `${path}:${line} ${JSON.stringify(replacement)}`).toBe(true);
                rewritten.set(migration.framework, (rewritten.get(migration.framework) ?? 0) + 1);
              }
            }
          }
        }
      }
    }
    // Every listed framework had rewrites to compare, and some lines were refused (comments).
    for (const framework of SECTIONS_FROM_LINES) expect(rewritten.get(framework) ?? 0, framework).toBeGreaterThan(5);
    expect(refused).toBeGreaterThan(0);
  }, 300_000);

  it("with every fix of a migration applied together", () => {
    const own: SourceFile[] = [
      {
        path: "db/migrations/20260101000000_two.sql",
        text: "-- migrate:up\nCREATE INDEX a ON t (x);\n\nCREATE INDEX b\n  ON t (y);\n-- migrate:down\nDROP INDEX a;\n",
      },
    ];
    const [migration] = detectMigrations(own, {});
    if (!migration) throw new Error("no dbmate migration");
    const lines = own[0]?.text.split("\n") ?? [];
    const fixes: Fix[] = [
      { title: "t", line: 2, endLine: 2, replacement: "+goose Up migrate:down;\n" },
      { title: "t", line: 4, endLine: 5, replacement: "migrate:up transaction:false\nBEGIN;" },
      { title: "t", line: 7, endLine: 7, replacement: "COMMIT;" },
    ];
    for (const fix of fixes) expect(fixKeepsSections("dbmate", fix, lines)).toBe(true);
    const text = [...fixes].reverse().reduce((current, fix) => applyFix(current, fix), own[0]?.text ?? "");
    expect(sameReading(migration, redetect(migration, own), [{ path: own[0]?.path ?? "", text }])).toBe(true);
  });
});

describe("each condition of fixKeepsSections is needed", () => {
  /** Whether fixKeepsSections allows `fix` in the case's one migration, and whether reading it again after the fix keeps the sections. */
  function keeps(file: SourceFile, fix: Fix, framework?: FrameworkId): { allowed: boolean; same: boolean } {
    const [migration] = detectMigrations([file], framework ? { framework } : {});
    if (!migration) throw new Error(`no migration in ${file.path}`);
    const allowed = fixKeepsSections(migration.framework, fix, file.text.split("\n"));
    return { allowed, same: sameReading(migration, redetect(migration, [file]), fixed([file], file.path, fix)) };
  }
  const goose = { path: "db/migrations/00001_a.sql", text: "-- +goose Up\nCREATE INDEX a ON t (x);\n-- +goose Down\nDROP INDEX a;\n" };
  const cases: Array<{ name: string; file: SourceFile; fix: Fix; framework?: FrameworkId }> = [
    { name: "a comment written (goose's NO TRANSACTION)", file: goose, fix: { title: "t", line: 2, endLine: 2, replacement: "-- +goose NO TRANSACTION" } },
    { name: "a marker line replaced", file: goose, fix: { title: "t", line: 3, endLine: 3, replacement: "SELECT 1;" } },
    { name: "a line more", file: goose, fix: { title: "t", line: 4, endLine: 4, replacement: "DROP INDEX a;\nSELECT 1;" } },
    {
      name: "a line break left at the end of a file without one",
      file: { path: "db/migrations/000001_a.up.sql", text: "SELECT 1;\nCREATE INDEX a\n  ON t (x);" },
      fix: { title: "t", line: 2, endLine: 3, replacement: "CREATE INDEX CONCURRENTLY a ON t (x);\n\n" },
    },
    {
      name: "the empty line after the file's last line break replaced",
      file: { path: "db/migrations/000001_a.up.sql", text: "SELECT 1;\nCREATE INDEX a ON t (x);\n" },
      fix: { title: "t", line: 2, endLine: 3, replacement: "CREATE INDEX CONCURRENTLY a\n  ON t (x);" },
    },
    {
      name: "a `--` before the fix, which sqlx's test of the first line reads on to the next",
      file: { path: "migrations/0001_a.up.sql", text: "--\nCREATE INDEX a ON t (x);\n" },
      fix: { title: "t", line: 2, endLine: 2, replacement: "no-transaction;" },
      framework: "sqlx",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(keeps(c.file, c.fix, c.framework)).toEqual({ allowed: false, same: false });
    });
  }

  it("is never said of a framework not listed (Liquibase, code files)", () => {
    const fix: Fix = { title: "t", line: 2, endLine: 2, replacement: "SELECT 1;" };
    const lines = ["a", "b", "c"];
    expect(fixKeepsSections("golang-migrate", fix, lines)).toBe(true);
    for (const framework of ["liquibase", "rails", "django", "knex", "ecto"] as const) expect(fixKeepsSections(framework, fix, lines)).toBe(false);
  });
});
