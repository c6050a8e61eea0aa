import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { Migration } from "../migrations/model.js";
import type { AnalysisResult } from "../rules/engine.js";
import type { AnalyzedStatement, Finding } from "../rules/types.js";
import { LOCK_MODES, LOCK_MODE_SQL, type LockMode } from "../sql/lock-modes.js";
import { ReplaySqlError, ReplayUnavailableError, type ReplayEngine } from "./engine.js";
import { replayFinding } from "./findings.js";
import { PhaseTimer, type PhaseTimes } from "./phase-times.js";
import { firstRefusedStatement } from "./refused-statements.js";
import type { RelationCatalog, RelationKind, StatementTrace } from "./trace-locks.js";

/**
 * Replays migrations in a real Postgres: the base history builds the schema, then each migration
 * of the pull request runs up statement by statement (in the framework's transaction mode, reading
 * the locks each statement really takes and the tables it rewrites), the schema is fingerprinted,
 * down runs, the fingerprint is compared with the one before up, and up runs once more. What goes
 * wrong becomes findings; what stops the replay itself (deadline, memory, a missing extension)
 * makes the outcome "unavailable" with the reason, and the review goes on without it.
 */

/** What the replay needs of the catalog tools (src/replay/fingerprint.ts, schema-diff.ts, trace-locks.ts). */
export interface ReplayTools<F> {
  fingerprint(db: ReplayEngine): Promise<F>;
  diff(before: F, after: F): ReadonlyArray<{ message: string }>;
  /** Runs one statement inside the open transaction: the locks it added, what it rewrote, every relation known so far. */
  trace(db: ReplayEngine, sql: string, known?: RelationCatalog): Promise<Pick<StatementTrace, "locks" | "rewritten" | "relations">>;
}

export interface ReplayRequest<F> {
  /** The analysis of every migration to replay, base history first, in the order they run. */
  analysis: AnalysisResult;
  /** The pull request's migrations (the others are the base history). */
  isPullRequestMigration(migration: Migration): boolean;
  /**
   * Files the pull request changes. A finding about a down file it leaves as it is (only the up
   * changed) goes on the up file instead, where the review can show it. Every file when absent.
   */
  isChangedFile?(path: string): boolean;
  /** Opens the engine, from the cached base schema when there is one. */
  openEngine(from?: Uint8Array): Promise<ReplayEngine>;
  tools: ReplayTools<F>;
  /** The base schema image cache (PGlite); none for an external server. */
  cache?: ReplayCache;
  /** Tells images of different engines apart in the cache (e.g. "pglite-0.5.16"). */
  engineTag?: string;
  log?: Logger;
  signal?: AbortSignal;
}

/** Images of base schemas, by a hash of what built them (src/replay/image-cache.ts). */
export interface ReplayCache {
  get(key: string): Promise<Uint8Array | undefined>;
  /** Forgets an image that does not open. */
  drop?(key: string): Promise<void>;
  put(key: string, image: Uint8Array): Promise<void>;
}

export interface MigrationReplay {
  migration: string;
  path: string;
  up: "ok" | "failed";
  down: "ok" | "failed" | "none" | "not-run";
  restores: boolean | undefined;
  reapply: "ok" | "failed" | "not-run";
  /** Statements whose locks were read from pg_locks. */
  traced: number;
  /** Statements that cannot run in a transaction block: their locks come from the static model. */
  untraceable: number;
}

export interface LockComparison {
  path: string;
  line: number;
  statement: string;
  relation: string;
  traced: LockMode;
  predicted: LockMode | undefined;
}

export interface ReplayOutcome {
  status: "replayed" | "unavailable" | "skipped";
  /** Why the replay did not run or did not finish. */
  reason?: string;
  engine?: string;
  findings: Finding[];
  migrations: MigrationReplay[];
  baseMigrations: number;
  fromCache: boolean;
  /** Relation locks compared with the static model: how many, and where Postgres took a stronger one. */
  locks: { compared: number; stronger: LockComparison[] };
  durationMs: number;
  /**
   * Where the time went, in ms: "start" (the engine's own parts under "start: …"), "base" (a base
   * history run), "up", "fingerprint", "down", "up again", "close" (phase-times.ts).
   */
  phases?: PhaseTimes;
}

/** Plain SQL migrations only: an ORM's migration code is not run. */
export function isReplayable(migration: Migration): boolean {
  return migration.sections.length > 0 && migration.sections.every((section) => section.language === "sql");
}

export async function replayMigrations<F>(request: ReplayRequest<F>): Promise<ReplayOutcome> {
  const started = performance.now();
  const timer = new PhaseTimer();
  const outcome: ReplayOutcome = {
    status: "replayed",
    findings: [],
    migrations: [],
    baseMigrations: 0,
    fromCache: false,
    locks: { compared: 0, stronger: [] },
    durationMs: 0,
    // Shared by every copy done() makes: the close, which runs after, adds its time here too.
    phases: timer.times,
  };
  const done = (): ReplayOutcome => ({ ...outcome, durationMs: Math.round(performance.now() - started) });
  const all = request.analysis.migrations.filter((m) => isReplayable(m.migration));
  const ours = all.filter((m) => request.isPullRequestMigration(m.migration));
  if (ours.length === 0) return { ...done(), status: "skipped", reason: "no plain-SQL migration of the pull request to replay" };
  const firstOurs = all.indexOf(ours[0] as (typeof all)[number]);
  const base = all.slice(0, firstOurs).filter((m) => !request.isPullRequestMigration(m.migration));
  outcome.baseMigrations = base.length;

  const cacheKey = request.cache ? baseKey(engineTag(request), base) : undefined;
  let image = cacheKey !== undefined ? await request.cache?.get(cacheKey).catch(() => undefined) : undefined;
  let engine: ReplayEngine | undefined;
  // A superseded review or a stopping server ends the engine at once (a statement may run long).
  const abort = () => void engine?.close().catch(() => undefined);
  request.signal?.addEventListener("abort", abort, { once: true });
  try {
    if (image) {
      try {
        engine = await timer.time("start", () => request.openEngine(image));
      } catch (error) {
        if (!(error instanceof ReplayUnavailableError) || error.why !== "engine" || cacheKey === undefined) throw error;
        // A damaged image (or one of another PGlite) is dropped, and the base is built again.
        request.log?.warn({ err: error, cacheKey }, "replay: the cached base image does not open; building the base again");
        await request.cache?.drop?.(cacheKey).catch(() => undefined);
        image = undefined;
      }
    }
    engine ??= await timer.time("start", () => request.openEngine());
    outcome.engine = engine.version;
    if (engine.kind === "postgres") {
      const refused = firstRefusedStatement(all.flatMap((m) => [...upStatements(m), ...downStatements(m)]));
      if (refused) {
        const { statement, reason } = refused;
        return { ...done(), status: "unavailable", reason: `not replayable on a shared PostgreSQL server: ${statement.path}:${statement.line} ${reason}` };
      }
    }
    // The base's roles only before the image is taken: images are shared by every pull request on
    // the same base, and a role one pull request names would make another's CREATE ROLE fail.
    const opened = engine;
    await timer.time("roles", () => createRoles(opened, base));
    if (image) {
      outcome.fromCache = true;
    } else {
      for (const migration of base) {
        request.signal?.throwIfAborted();
        const failure = await timer.time("base", () => applySection(opened, upStatements(migration), request.tools, undefined));
        if (failure) {
          return { ...done(), status: "unavailable", reason: `the base history does not apply: ${failure.statement.path}:${failure.line}: ${failure.message}` };
        }
      }
      // Session settings of the base (a dump's set_config('search_path', …)) are not in the image: drop them here too.
      await engine.exec("RESET ALL");
      // An empty base on the external server is CREATE DATABASE as it is: nothing to keep.
      if (cacheKey !== undefined && request.cache && (engine.kind === "pglite" || base.length > 0)) {
        // A base that cannot be kept (the server refused the template) is replayed again next time.
        image = await engine.snapshot().catch((error: unknown) => {
          if (!(error instanceof ReplayUnavailableError) || error.why !== "unsupported") throw error;
          request.log?.warn({ err: error }, "replay: could not keep the base schema");
          return undefined;
        });
        if (image)
          await request.cache
            .put(cacheKey, image)
            .catch((error: unknown) => request.log?.warn({ err: error }, "replay: could not store the base schema image"));
      }
    }
    await timer.time("roles", () => createRoles(opened, all.slice(firstOurs)));
    // From the first migration of the pull request on, in order: the pull request's are checked,
    // base ones between them (an older branch merged meanwhile) are applied as they are.
    const rest = all.slice(firstOurs);
    for (const [index, migration] of rest.entries()) {
      request.signal?.throwIfAborted();
      if (!request.isPullRequestMigration(migration.migration)) {
        const failure = await applySection(engine, upStatements(migration), request.tools, undefined);
        if (failure)
          return {
            ...done(),
            status: "unavailable",
            reason: `a migration of the base does not apply: ${failure.statement.path}:${failure.line}: ${failure.message}`,
          };
        continue;
      }
      await engine.exec("RESET ALL");
      const result = await replayOne(engine, migration, request.tools, outcome, (path: string) => request.isChangedFile?.(path) ?? true, timer);
      outcome.migrations.push(result);
      const left = rest.slice(index + 1).filter((m) => request.isPullRequestMigration(m.migration)).length;
      // After a failed up, down or second up the schema is not the one later migrations expect.
      if ((result.up === "failed" || result.down === "failed" || result.reapply === "failed") && left > 0) {
        outcome.reason = `${left} later migration${left === 1 ? "" : "s"} of the pull request not replayed: they run after one that failed a step`;
        break;
      }
    }
    return done();
  } catch (error) {
    if (error instanceof ReplayUnavailableError) return { ...done(), status: "unavailable", reason: error.message };
    throw error;
  } finally {
    request.signal?.removeEventListener("abort", abort);
    const closing = engine;
    if (closing) {
      await timer.time("close", () => closing.close()).catch((error: unknown) => request.log?.warn({ err: error }, "replay: closing the engine failed"));
      if (closing.phases) timer.merge("", closing.phases);
    }
  }
}

/** What the base image depends on: the engine, and every statement of the base history in order. */
function baseKey(engine: string, base: ReadonlyArray<AnalysisResult["migrations"][number]>): string {
  const hash = createHash("sha256").update(`${engine}\n`);
  for (const migration of base) {
    for (const section of migration.sections) {
      if (section.section.direction !== "up") continue;
      hash.update(`${section.section.path}\0${section.section.inTransaction ? 1 : 0}${section.section.oneQuery === true ? "q" : ""}\0`);
      for (const statement of section.statements) hash.update(`${statement.text}\0`);
    }
  }
  return hash.digest("hex").slice(0, 32);
}

function engineTag(request: ReplayRequest<unknown>): string {
  return request.engineTag ?? "pglite";
}

interface StatementFailure {
  statement: AnalyzedStatement;
  line: number;
  message: string;
}

function upStatements(migration: AnalysisResult["migrations"][number]): AnalyzedStatement[] {
  return migration.sections.filter((s) => s.section.direction === "up").flatMap((s) => s.statements);
}

function downStatements(migration: AnalysisResult["migrations"][number]): AnalyzedStatement[] {
  return migration.sections.filter((s) => s.section.direction === "down").flatMap((s) => s.statements);
}

async function replayOne<F>(
  engine: ReplayEngine,
  analyzed: AnalysisResult["migrations"][number],
  tools: ReplayTools<F>,
  outcome: ReplayOutcome,
  isChanged: (path: string) => boolean,
  timer: PhaseTimer,
): Promise<MigrationReplay> {
  const { migration } = analyzed;
  const up = upStatements(analyzed);
  const down = downStatements(analyzed);
  const upPath = up[0]?.path ?? migration.files[0] ?? migration.folder;
  const upStart = { path: upPath, line: up[0]?.line ?? 1 };
  const result: MigrationReplay = {
    migration: `${migration.version}${migration.name ? `_${migration.name}` : ""}`,
    path: upPath,
    up: "ok",
    down: "none",
    restores: undefined,
    reapply: "not-run",
    traced: 0,
    untraceable: 0,
  };

  const before = await timer.time("fingerprint", () => tools.fingerprint(engine));
  const upFailure = await timer.time("up", () => applySection(engine, up, tools, { outcome, result }));
  if (upFailure) {
    result.up = "failed";
    outcome.findings.push(
      replayFinding(
        "upFails",
        { path: upFailure.statement.path, line: upFailure.line },
        `Replayed on the schema the earlier migrations build, this statement fails: ${upFailure.message}`,
        "Run the migration against a copy of the database before merging; the replay used Postgres " + engine.version.split(" ")[1] + ".",
      ),
    );
    return result;
  }
  if (down.length === 0 || migration.rollback === "unsupported") return result;

  const downFailure = await timer.time("down", () => applySection(engine, down, tools, undefined));
  if (downFailure) {
    result.down = "failed";
    const place = placeFinding(failedAt(downFailure), upStart, isChanged);
    outcome.findings.push(replayFinding("downFails", place.where, `Replayed right after up, the down fails${place.note}: ${downFailure.message}`));
    return result;
  }
  result.down = "ok";
  const after = await timer.time("fingerprint", () => tools.fingerprint(engine));
  const differences = tools.diff(before, after);
  result.restores = differences.length === 0;
  // On the down when the pull request changes it, else on the up: the review shows changed files only.
  const downWhere = placeFinding({ path: down[0]?.path ?? upPath, line: down[0]?.line ?? 1 }, upStart, isChanged).where;
  const acknowledged = migration.irreversible !== undefined;
  for (const difference of differences) {
    const finding = replayFinding(
      "downMismatch",
      downWhere,
      `After up then down the schema is not what it was before up: ${difference.message}.`,
      "Make the down undo exactly what the up does; where that is impossible, mark the migration irreversible with a reason.",
    );
    outcome.findings.push(acknowledged ? { ...finding, acknowledged: true } : finding);
  }

  const again = await timer.time("up again", () => applySection(engine, up, tools, undefined));
  if (again) {
    result.reapply = "failed";
    // On the up, unless the pull request changes only the down (which then caused it).
    const place = placeFinding(failedAt(again), downWhere, isChanged);
    outcome.findings.push(
      replayFinding(
        "reapplyFails",
        place.where,
        `After up then down, up cannot run again${place.note}: ${again.message}`,
        "The down leaves something behind that the up then trips over; drop it in the down, or make the up idempotent.",
      ),
    );
  } else {
    result.reapply = "ok";
  }
  return result;
}

/**
 * Runs a section's statements as the framework would: inside one transaction when the framework
 * wraps it (or Postgres does, around a file sent as one query), else each on its own, with the
 * SQL's own BEGIN/COMMIT kept. With `record`, the locks
 * of each statement are read (a statement outside any transaction runs in one of its own so
 * that they can be). Stops at the first failure and leaves no transaction open.
 */
async function applySection<F>(
  engine: ReplayEngine,
  statements: readonly AnalyzedStatement[],
  tools: ReplayTools<F>,
  record: { outcome: ReplayOutcome; result: MigrationReplay } | undefined,
): Promise<StatementFailure | undefined> {
  let open = false;
  // Relations seen earlier in the open transaction, so locks on ones it dropped keep their names.
  let known: RelationCatalog | undefined;
  const bySection = new Map<AnalyzedStatement["section"], AnalyzedStatement[]>();
  for (const statement of statements) bySection.set(statement.section, [...(bySection.get(statement.section) ?? []), statement]);
  for (const [section, list] of bySection) {
    if (!open && sentAsOneQuery(section, list)) {
      if (record) record.result.untraceable += list.length;
      const failure = await applyAsOneQuery(engine, list);
      if (failure) return failure;
      continue;
    }
    // Several statements sent as one query run in Postgres's implicit transaction: a BEGIN … COMMIT
    // around them does the same (the section holds no transaction control, see sentAsOneQuery).
    const wrapped = section.inTransaction || (section.oneQuery === true && list.length > 1);
    let current: AnalyzedStatement | undefined;
    try {
      if (wrapped) {
        await engine.exec("BEGIN");
        open = true;
      }
      for (const statement of list) {
        current = statement;
        const control = transactionControl(statement);
        if (control !== undefined) {
          await engine.exec(statement.text);
          open = control === "begin" ? true : false;
          continue;
        }
        if ((!statement.locks.transactional || UNWRAPPED.has(statement.kind)) && !open) {
          // CONCURRENTLY, VACUUM, …: runs outside a transaction, where nothing can read its locks.
          await engine.exec(statement.text);
          if (record) record.result.untraceable++;
          continue;
        }
        const own = !open;
        if (own) await engine.exec("BEGIN");
        open = true;
        if (own) known = undefined;
        if (record) {
          const traced = await tools.trace(engine, statement.text, known);
          known = traced.relations;
          record.result.traced++;
          compareLocks(statement, traced, record.outcome);
        } else {
          await engine.exec(statement.text);
        }
        if (own) {
          await engine.exec("COMMIT");
          open = false;
        }
      }
      current = list[list.length - 1];
      if (wrapped && open) {
        await engine.exec("COMMIT");
        open = false;
      }
    } catch (error) {
      if (!(error instanceof ReplaySqlError)) throw error;
      if (open) await engine.exec("ROLLBACK").catch(() => undefined);
      const statement = current ?? list[0];
      if (!statement) throw error;
      return { statement, line: lineOf(statement, error.position), message: describeSqlError(error) };
    }
  }
  return undefined;
}

/** Run as they are outside a transaction: a DO block or procedure may COMMIT itself (batched backfills). */
const UNWRAPPED = new Set(["DoStmt", "CallStmt"]);

/**
 * Whether the section must run as the one query its runner sends (golang-migrate): several
 * statements, one of which behaves differently in a query's implicit transaction than in a
 * BEGIN … COMMIT of the replay's own (BEGIN, COMMIT and ROLLBACK end or take over the implicit
 * block; CONCURRENTLY, VACUUM and the like are refused in it; a DO block or procedure cannot
 * COMMIT in it). Such a section's locks are not traced.
 */
function sentAsOneQuery(section: AnalyzedStatement["section"], list: readonly AnalyzedStatement[]): boolean {
  if (section.oneQuery !== true || list.length < 2) return false;
  return list.some((statement) => transactionControl(statement) !== undefined || !statement.locks.transactional || UNWRAPPED.has(statement.kind));
}

/**
 * The statements sent as one query, as the runner sends the file. Postgres reports where in the
 * query it failed when it can; otherwise the failure is put on the first statement refused in a
 * transaction block, or the first statement.
 */
async function applyAsOneQuery(engine: ReplayEngine, list: readonly AnalyzedStatement[]): Promise<StatementFailure | undefined> {
  const starts: number[] = [];
  let query = "";
  for (const statement of list) {
    starts.push(query.length);
    query += `${statement.text};\n`;
  }
  try {
    await engine.exec(query);
    return undefined;
  } catch (error) {
    if (!(error instanceof ReplaySqlError)) throw error;
    // An error after an explicit BEGIN of the query leaves that transaction open and aborted.
    await engine.exec("ROLLBACK").catch(() => undefined);
    const offset = error.position === undefined ? -1 : error.position - 1;
    let index = starts.findLastIndex((start) => start <= offset);
    if (index < 0)
      index = Math.max(
        0,
        list.findIndex((statement) => !statement.locks.transactional),
      );
    const statement = list[index];
    if (!statement) throw error;
    const inStatement = index >= 0 && offset >= 0 ? offset - (starts[index] ?? 0) + 1 : undefined;
    return { statement, line: lineOf(statement, inStatement), message: describeSqlError(error) };
  }
}

/**
 * Roles the migrations name (GRANT … TO app_reader, OWNER TO app_owner) exist on the production
 * server, not in a fresh database: they are created first, without login, so that correct
 * migrations do not fail on them. Only on the embedded engine (a superuser of its own database).
 */
async function createRoles(engine: ReplayEngine, migrations: ReadonlyArray<AnalysisResult["migrations"][number]>): Promise<void> {
  if (engine.kind !== "pglite") return;
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (node === null || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    if (typeof record.rolename === "string" && record.roletype === "ROLESPEC_CSTRING") names.add(record.rolename);
    if (record.CreateRoleStmt === undefined) for (const value of Object.values(record)) visit(value);
  };
  for (const migration of migrations) for (const section of migration.sections) for (const statement of section.statements) visit(statement.node);
  for (const name of names) {
    if (name === "postgres" || name.startsWith("pg_")) continue;
    // The name is a bound parameter and a quoted identifier, never text inside a $$ body (which a
    // name holding "$$" would end, and run the rest as SQL).
    if ((await engine.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [name])).length > 0) continue;
    await engine.exec(`CREATE ROLE "${name.replaceAll('"', '""')}" NOLOGIN`);
  }
}

interface Place {
  path: string;
  line: number;
}

function failedAt(failure: StatementFailure): Place {
  return { path: failure.statement.path, line: failure.line };
}

/**
 * Where a finding about `at` goes: there when the pull request changes that file, else at
 * `instead` (the review shows changed files only), with a note naming `at` for the message.
 */
function placeFinding(at: Place, instead: Place, isChanged: (path: string) => boolean): { where: Place; note: string } {
  return isChanged(at.path) ? { where: at, note: "" } : { where: instead, note: ` (${at.path}:${at.line})` };
}

function lineOf(statement: AnalyzedStatement, position: number | undefined): number {
  if (position === undefined || position < 1) return statement.line;
  return statement.line + (statement.text.slice(0, position - 1).match(/\n/g)?.length ?? 0);
}

function describeSqlError(error: ReplaySqlError): string {
  return error.code ? `${error.message} (SQLSTATE ${error.code})` : error.message;
}

function transactionControl(statement: AnalyzedStatement): "begin" | "end" | undefined {
  if (statement.kind !== "TransactionStmt") return undefined;
  const kind = (statement.node as { TransactionStmt?: { kind?: string } }).TransactionStmt?.kind ?? "";
  if (kind === "TRANS_STMT_BEGIN" || kind === "TRANS_STMT_START") return "begin";
  if (kind === "TRANS_STMT_COMMIT" || kind === "TRANS_STMT_ROLLBACK" || kind === "TRANS_STMT_PREPARE") return "end";
  // SAVEPOINT, RELEASE, ROLLBACK TO: the transaction stays as it is.
  return undefined;
}

/** Tables, partitioned tables, materialized views, views and foreign tables: what traffic queues on. */
const QUEUED_ON = new Set<RelationKind>(["table", "partitioned table", "materialized view", "view", "foreign table"]);

function compareLocks(statement: AnalyzedStatement, traced: Pick<StatementTrace, "locks">, outcome: ReplayOutcome): void {
  for (const lock of traced.locks) {
    if (lock.created || lock.dropped || !QUEUED_ON.has(lock.kind)) continue;
    if (lock.mode === "AccessShareLock") continue;
    // An unqualified name in the model may be in any schema of the search_path the migration set.
    const predicted = statement.locks.locks.find((l) => l.relation === lock.name && (l.schema === undefined || l.schema === lock.schema));
    if (predicted?.created || statement.createdRelations.has(lock.name)) continue;
    outcome.locks.compared++;
    if (predicted && LOCK_MODES.indexOf(predicted.mode) >= LOCK_MODES.indexOf(lock.mode)) continue;
    const relation = `${lock.schema}.${lock.name}`;
    const comparison: LockComparison = {
      path: statement.path,
      line: statement.line,
      statement: statement.text.split("\n")[0]?.slice(0, 120) ?? "",
      relation,
      traced: lock.mode,
      predicted: predicted?.mode,
    };
    outcome.locks.stronger.push(comparison);
    outcome.findings.push(
      replayFinding(
        "tracedLock",
        { path: statement.path, line: statement.line, endLine: statement.endLine },
        `Replayed, this statement takes ${LOCK_MODE_SQL[lock.mode]} on ${relation}` +
          (predicted ? ` (the static model predicted ${LOCK_MODE_SQL[predicted.mode]})` : " (the static model predicted no lock there)") +
          ". That is the lock that holds while it runs.",
      ),
    );
  }
}
