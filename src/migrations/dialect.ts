import picomatch from "picomatch";
import type { SourceFile } from "./model.js";

/**
 * Which SQL dialect a migration file is written in, from its path: data-engineer reads
 * PostgreSQL, and a MySQL or SQLite file parsed as PostgreSQL gives nothing but false syntax
 * errors and advice about locks that engine does not take. Repositories that support several
 * databases say the dialect in the path: ory/pop's `<version>_<name>.<dialect>.<up|down>.sql`
 * (no dialect: every database), Flyway's vendor folders (`db/migration/mysql/`). A file whose
 * path says nothing is PostgreSQL; the repository's `dialects` setting overrides both.
 */

/** The dialects a path can name; `postgres` is the only one analysed. */
export const DIALECT_IDS = [
  "postgres",
  "cockroach",
  "mysql",
  "mariadb",
  "sqlite",
  "mssql",
  "oracle",
  "h2",
  "hsqldb",
  "db2",
  "derby",
  "redshift",
  "snowflake",
  "clickhouse",
] as const;

export type DialectId = (typeof DIALECT_IDS)[number];

/** Path globs → dialect, first match wins (the repository configuration's `dialects`). */
export type DialectOverrides = Readonly<Record<string, DialectId>>;

export const DIALECT_NAMES: Readonly<Record<DialectId, string>> = {
  postgres: "PostgreSQL",
  cockroach: "CockroachDB",
  mysql: "MySQL",
  mariadb: "MariaDB",
  sqlite: "SQLite",
  mssql: "SQL Server",
  oracle: "Oracle",
  h2: "H2",
  hsqldb: "HSQLDB",
  db2: "Db2",
  derby: "Derby",
  redshift: "Redshift",
  snowflake: "Snowflake",
  clickhouse: "ClickHouse",
};

/** The words a file name infix or a folder name uses for each dialect (lower case). */
const WORDS: ReadonlyMap<string, DialectId> = new Map<string, DialectId>([
  ["postgres", "postgres"],
  ["postgresql", "postgres"],
  ["pgsql", "postgres"],
  ["pg", "postgres"],
  ["cockroach", "cockroach"],
  ["cockroachdb", "cockroach"],
  ["crdb", "cockroach"],
  ["mysql", "mysql"],
  ["mariadb", "mariadb"],
  ["sqlite", "sqlite"],
  ["sqlite3", "sqlite"],
  ["mssql", "mssql"],
  ["sqlserver", "mssql"],
  ["tsql", "mssql"],
  ["oracle", "oracle"],
  ["h2", "h2"],
  ["hsqldb", "hsqldb"],
  ["db2", "db2"],
  ["derby", "derby"],
  ["redshift", "redshift"],
  ["snowflake", "snowflake"],
  ["clickhouse", "clickhouse"],
]);

/** Words that name a dialect in a file name's infix but not as a folder: `db2/` is as often "the second database". */
const NOT_A_FOLDER_WORD: ReadonlySet<string> = new Set(["db2"]);

export interface DialectOfPath {
  dialect: DialectId;
  /** What said so: the file name's infix, a folder's name, the configuration, or nothing (PostgreSQL by default). */
  source: "file-name" | "folder" | "config" | "default";
  /** The infix, the folder or the glob that said so. */
  evidence: string;
}

const matchers = new WeakMap<DialectOverrides, Array<{ glob: string; dialect: DialectId; matches: (path: string) => boolean }>>();

function compiled(overrides: DialectOverrides): Array<{ glob: string; dialect: DialectId; matches: (path: string) => boolean }> {
  let list = matchers.get(overrides);
  if (!list) {
    // Case-insensitive like the migration paths (`paths.include`).
    list = Object.entries(overrides).map(([glob, dialect]) => ({ glob, dialect, matches: picomatch(glob, { dot: true, nocase: true }) }));
    matchers.set(overrides, list);
  }
  return list;
}

/**
 * The dialect `path` is written in. The configuration first; then the file name's dot-separated
 * infixes (`x.mysql.up.sql`, `V1__x.sqlite.sql`, a file named `mysql.sql`); then its folders,
 * innermost first, by the words of their names (`mysql/`, `migrations-sqlite/`). A file name's
 * description (`0001_drop_mysql_compat.sql`) is free text and says nothing.
 */
export function dialectOf(path: string, overrides: DialectOverrides = {}): DialectOfPath {
  for (const { glob, dialect, matches } of compiled(overrides)) if (matches(path)) return { dialect, source: "config", evidence: glob };
  const parts = path.split("/");
  const name = (parts.pop() ?? "").toLowerCase();
  const segments = name.split(".");
  // The last segment is the extension; the first is the version and description, unless it is all a dialect's word.
  const infixes = segments.slice(0, -1).filter((segment, i) => i > 0 || WORDS.has(segment));
  for (const infix of infixes) {
    const dialect = WORDS.get(infix);
    if (dialect) return { dialect, source: "file-name", evidence: `.${infix}.` };
  }
  for (let i = parts.length - 1; i >= 0; i--) {
    const folder = parts[i] ?? "";
    for (const word of folder.toLowerCase().split(/[-_.]/)) {
      const dialect = NOT_A_FOLDER_WORD.has(word) ? undefined : WORDS.get(word);
      if (dialect) return { dialect, source: "folder", evidence: `${parts.slice(0, i + 1).join("/")}/` };
    }
  }
  return { dialect: "postgres", source: "default", evidence: "" };
}

/**
 * CockroachDB speaks PostgreSQL's wire protocol and much of its syntax, but it changes schemas
 * online, as background jobs, with its own rules for DDL in transactions: PostgreSQL's lock
 * advice (build indexes CONCURRENTLY, set lock_timeout, split ADD CONSTRAINT … NOT VALID) does
 * not describe what it does, so its files are not reviewed as PostgreSQL unless configured.
 */
const WHY_NOT: Partial<Record<DialectId, string>> = {
  cockroach: "CockroachDB changes schemas online, as background jobs with their own transaction rules, so PostgreSQL's lock advice does not apply",
};

/** Why a file of another dialect is not reviewed, in one line. */
export function notReviewedReason(of: DialectOfPath): string {
  const name = DIALECT_NAMES[of.dialect];
  const said =
    of.source === "file-name"
      ? `file name says ${of.evidence}`
      : of.source === "folder"
        ? `folder ${of.evidence} says ${of.dialect}`
        : of.source === "config"
          ? `configured: dialects "${of.evidence}"`
          : "default";
  return `${name} migration (${said}): not reviewed, ${WHY_NOT[of.dialect] ?? "data-engineer reads PostgreSQL"}`;
}

export interface OtherDialectFile {
  path: string;
  dialect: DialectId;
  reason: string;
}

/** The files to analyse as PostgreSQL, and the others with why they are not reviewed. */
export function splitByDialect(files: readonly SourceFile[], overrides: DialectOverrides = {}): { postgres: SourceFile[]; other: OtherDialectFile[] } {
  const postgres: SourceFile[] = [];
  const other: OtherDialectFile[] = [];
  for (const file of files) {
    const of = dialectOf(file.path, overrides);
    if (of.dialect === "postgres") postgres.push(file);
    else other.push({ path: file.path, dialect: of.dialect, reason: notReviewedReason(of) });
  }
  return { postgres, other };
}
