import type { AnalyzedStatement } from "../rules/types.js";

/**
 * Statements the external engine never sends. On a shared PostgreSQL server, databases, roles,
 * the server's settings, its files and other sessions belong to everyone who replays there: a
 * pull request's SQL may change only the scratch database it is given. The replay role cannot do
 * most of these anyway (no CREATEDB, no CREATEROLE, no membership, no file or program rights);
 * refusing them from the parsed statements says so plainly in the review instead of a permission
 * error, and is a second line should the server's grants be looser than the README asks. SQL
 * that builds a statement at run time (EXECUTE in a DO block) is beyond any parser: the role's
 * rights are what hold there.
 */

/** Statement kinds (libpg-query's node names) that change databases, roles, tablespaces or the server. */
const SERVER_WIDE: Readonly<Record<string, string>> = {
  CreatedbStmt: "creates a database",
  DropdbStmt: "drops a database",
  AlterDatabaseStmt: "alters a database",
  AlterDatabaseSetStmt: "changes a database's settings",
  AlterDatabaseRefreshCollStmt: "alters a database",
  CreateRoleStmt: "creates a role",
  AlterRoleStmt: "alters a role",
  AlterRoleSetStmt: "changes a role's settings",
  DropRoleStmt: "drops a role",
  GrantRoleStmt: "changes role membership",
  ReassignOwnedStmt: "reassigns objects between roles",
  AlterSystemStmt: "changes the server's configuration (ALTER SYSTEM)",
  CreateTableSpaceStmt: "creates a tablespace",
  DropTableSpaceStmt: "drops a tablespace",
  AlterTableSpaceOptionsStmt: "alters a tablespace",
  LoadStmt: "loads a shared library",
  CheckPointStmt: "forces a server checkpoint",
  CreateSubscriptionStmt: "opens a replication subscription",
};

/** Functions that reach other sessions, the server's files or its configuration. */
const SERVER_FUNCTIONS = new Set([
  "pg_terminate_backend",
  "pg_cancel_backend",
  "pg_reload_conf",
  "pg_rotate_logfile",
  "pg_promote",
  "pg_switch_wal",
  "pg_read_file",
  "pg_read_binary_file",
  "pg_ls_dir",
  "pg_stat_file",
  "pg_ls_logdir",
  "pg_ls_waldir",
  "pg_ls_tmpdir",
  "pg_ls_archive_statusdir",
  "lo_import",
  "lo_export",
  "dblink",
  "dblink_exec",
  "dblink_connect",
  "dblink_connect_u",
  "dblink_send_query",
]);

export interface RefusedStatement {
  statement: AnalyzedStatement;
  /** What it does, for "… is not replayed on a shared server: it <reason>". */
  reason: string;
}

/** The first statement the external engine must not send, with why; undefined when there is none. */
export function firstRefusedStatement(statements: Iterable<AnalyzedStatement>): RefusedStatement | undefined {
  for (const statement of statements) {
    const reason = refusalOf(statement);
    if (reason !== undefined) return { statement, reason };
  }
  return undefined;
}

function refusalOf(statement: AnalyzedStatement): string | undefined {
  const wide = SERVER_WIDE[statement.kind];
  if (wide !== undefined) return wide;
  if (statement.kind === "CopyStmt") {
    const copy = (statement.node as { CopyStmt?: { is_program?: boolean; filename?: string } }).CopyStmt;
    if (copy?.is_program) return "runs a program on the database server (COPY … PROGRAM)";
    if (copy?.filename !== undefined) return "reads or writes a file on the database server (COPY … to or from a file)";
  }
  const called = calledServerFunction(statement.node);
  return called === undefined ? undefined : `calls ${called}(), which reaches beyond its own database`;
}

/** The first call, anywhere in the tree, of a function in SERVER_FUNCTIONS (schema-qualified or not). */
function calledServerFunction(node: unknown): string | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = calledServerFunction(item);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (node === null || typeof node !== "object") return undefined;
  const record = node as Record<string, unknown>;
  const call = record.FuncCall as { funcname?: Array<{ String?: { sval?: string } }> } | undefined;
  const name = call?.funcname?.at(-1)?.String?.sval?.toLowerCase();
  if (name !== undefined && SERVER_FUNCTIONS.has(name)) return name;
  for (const value of Object.values(record)) {
    const found = calledServerFunction(value);
    if (found !== undefined) return found;
  }
  return undefined;
}
