import { randomBytes } from "node:crypto";
import pg from "pg";
import {
  ReplaySqlError,
  ReplayUnavailableError,
  replayDeadlineError,
  type EngineOptions,
  type ReplayEngine,
  type Row,
} from "./engine.js";

/**
 * The external engine: a PostgreSQL server from a URL (DATABASE_URL). The replay gets a scratch
 * database of its own, `data_engineer_replay_<random>`, works only inside it and drops it at
 * close. Two connections: the replay's own, in the scratch database, and an admin one in the
 * URL's database that creates and drops the scratch database and stops a runaway statement.
 */

const SCRATCH_PREFIX = "data_engineer_replay_";
const QUERY_CANCELED = "57014";
/** Node's timers take at most 2^31-1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export async function openPostgresEngine(url: string, options: EngineOptions): Promise<ReplayEngine> {
  if (options.from !== undefined) {
    throw new ReplayUnavailableError("the external PostgreSQL engine cannot start from a snapshot (snapshots are embedded-Postgres images)", "unsupported");
  }
  const deadlineAt = Date.now() + options.deadlineMs;
  const target = new DatabaseUrl(url);
  const beforeDeadline = <T>(work: Promise<T>) => raceDeadline(work, deadlineAt, options.deadlineMs);

  const admin = await beforeDeadline(connect(target.url, target, deadlineAt));
  let scratchName: string | undefined;
  try {
    await beforeDeadline(refusePowerfulRole(admin, target));
    await beforeDeadline(requireExtensions(admin, options.extensions ?? [], target));
    scratchName = SCRATCH_PREFIX + randomBytes(6).toString("hex");
    await beforeDeadline(admin.query(`CREATE DATABASE ${scratchName}`)).catch((error: unknown) => {
      if (error instanceof ReplayUnavailableError) throw error;
      throw new ReplayUnavailableError(`could not create a scratch database on ${target.display}: ${target.redact(messageOf(error))}`, "engine");
    });
    // statement_timeout backs the deadline up on the server's side; the timer in the engine is
    // what keeps it (the SQL may SET its own statement_timeout).
    const client = await beforeDeadline(connect(target.withDatabase(scratchName), target, deadlineAt, { statementTimeoutMs: Math.max(1, deadlineAt - Date.now()) }));
    const rows = await beforeDeadline(client.query<{ version: string; pid: number }>("select version(), pg_backend_pid() as pid")).catch(async (error: unknown) => {
      await client.end().catch(() => undefined);
      throw error;
    });
    const { version = "unknown", pid = 0 } = rows.rows[0] ?? {};
    return new PostgresEngine({ admin, client, scratchName, version, backendPid: pid, deadlineAt, deadlineMs: options.deadlineMs, target });
  } catch (error) {
    if (scratchName !== undefined) await dropDatabase(admin, scratchName).catch(() => undefined);
    await admin.end().catch(() => undefined);
    if (error instanceof ReplayUnavailableError) throw error;
    throw new ReplayUnavailableError(`could not prepare the replay on ${target.display}: ${target.redact(messageOf(error))}`, "engine");
  }
}

/** Memberships that let SQL reach beyond its database: files, programs, every table, other sessions' queries. */
const POWERFUL_ROLES = ["pg_execute_server_program", "pg_read_server_files", "pg_write_server_files", "pg_read_all_data", "pg_write_all_data", "pg_read_all_stats", "pg_signal_backend"];

/**
 * Pull request SQL runs with the URL's role. A superuser (or a role that creates roles, replicates,
 * bypasses row security, or belongs to the roles above) could run programs on the server, read
 * its files or other databases: the replay refuses it. The role needs CREATEDB and nothing more.
 */
async function refusePowerfulRole(admin: pg.Client, target: DatabaseUrl): Promise<void> {
  const { rows } = await admin.query<{ name: string; super: boolean; createrole: boolean; replication: boolean; bypassrls: boolean; member_of: string[] | null }>(
    `SELECT r.rolname AS name, r.rolsuper AS super, r.rolcreaterole AS createrole, r.rolreplication AS replication, r.rolbypassrls AS bypassrls,
            (SELECT array_agg(b.rolname::text ORDER BY b.rolname) FROM pg_roles b WHERE b.rolname = ANY($1) AND pg_has_role(current_user, b.oid, 'MEMBER')) AS member_of
     FROM pg_roles r WHERE r.rolname = current_user`,
    [POWERFUL_ROLES],
  );
  const role = rows[0];
  if (!role) return;
  const powers = [
    ...(role.super ? ["is a superuser"] : []),
    ...(role.createrole ? ["can create roles"] : []),
    ...(role.replication ? ["can replicate"] : []),
    ...(role.bypassrls ? ["bypasses row-level security"] : []),
    ...(role.member_of && role.member_of.length > 0 ? [`is a member of ${role.member_of.join(", ")}`] : []),
  ];
  if (powers.length === 0) return;
  throw new ReplayUnavailableError(
    `the role "${role.name}" of DATABASE_URL (${target.display}) ${powers.join(" and ")}; the replay runs pull request SQL with it and refuses such a role. Give it a dedicated role with CREATEDB only`,
    "unsupported",
  );
}

/**
 * The URL, for connecting to another database on the same server and for saying which server it
 * is in messages without the password.
 */
class DatabaseUrl {
  readonly url: string;
  readonly display: string;
  readonly #parsed: URL;
  readonly #secrets: string[];

  constructor(url: string) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ReplayUnavailableError("the PostgreSQL database URL could not be parsed (expected postgres://user:password@host:port/database)", "engine");
    }
    if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
      throw new ReplayUnavailableError(`the PostgreSQL database URL must start with postgres:// (got ${parsed.protocol}//)`, "engine");
    }
    this.url = url;
    this.#parsed = parsed;
    this.#secrets = [parsed.password, decodeURIComponent(parsed.password), parsed.searchParams.get("password") ?? ""].filter((secret) => secret.length > 0);
    const shown = new URL(url);
    shown.password = "";
    shown.search = "";
    this.display = this.redact(shown.toString());
  }

  withDatabase(name: string): string {
    const other = new URL(this.#parsed.toString());
    other.pathname = `/${name}`;
    other.searchParams.delete("database");
    other.searchParams.delete("dbname");
    return other.toString();
  }

  /** The text with every form of the password in it masked. */
  redact(text: string): string {
    return this.#secrets.reduce((masked, secret) => masked.split(secret).join("***"), text);
  }
}

interface ConnectSettings {
  statementTimeoutMs?: number;
}

async function connect(url: string, target: DatabaseUrl, deadlineAt: number, settings: ConnectSettings = {}): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: Math.max(1, Math.min(deadlineAt - Date.now(), 30_000)),
    application_name: "data-engineer replay",
    types: { getTypeParser: typeParserLikePglite },
    ...(settings.statementTimeoutMs === undefined ? {} : { statement_timeout: Math.min(settings.statementTimeoutMs, MAX_TIMER_MS) }),
  });
  // A connection that drops later emits "error"; the engine learns of it from the failing query.
  client.on("error", () => undefined);
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new ReplayUnavailableError(`could not connect to PostgreSQL at ${target.display}: ${target.redact(messageOf(error))}`, "engine");
  }
}

async function requireExtensions(admin: pg.Client, extensions: readonly string[], target: DatabaseUrl): Promise<void> {
  if (extensions.length === 0) return;
  const available = await admin.query<{ name: string }>("select name from pg_available_extensions where name = any($1::text[])", [extensions]);
  const found = new Set(available.rows.map((row) => row.name));
  const missing = extensions.find((name) => !found.has(name));
  if (missing !== undefined) {
    throw new ReplayUnavailableError(`extension "${missing}" is not available on the PostgreSQL server at ${target.display}`, "unsupported");
  }
}

async function dropDatabase(admin: pg.Client, name: string): Promise<void> {
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } catch (error) {
    // WITH (FORCE) is PostgreSQL 13+: on older servers, end the sessions first.
    if (!(isDatabaseError(error) && error.code === "42601")) throw error;
    await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()", [name]);
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  }
}

/** Rejects with the deadline error when the deadline passes first. */
function raceDeadline<T>(work: Promise<T>, deadlineAt: number, deadlineMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(replayDeadlineError(deadlineMs)), Math.min(Math.max(deadlineAt - Date.now(), 0), MAX_TIMER_MS));
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

interface DatabaseErrorLike extends Error {
  code: string;
  position?: string;
}

function isDatabaseError(error: unknown): error is DatabaseErrorLike {
  return error instanceof Error && "severity" in error && "code" in error && typeof error.code === "string";
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(messageOf).join("; ");
  if (error instanceof Error) {
    const code = "code" in error && typeof error.code === "string" && !error.message.includes(error.code) ? ` (${error.code})` : "";
    return (error.message || error.name) + code;
  }
  return String(error);
}

/**
 * Values shaped like PGlite's, so that code reading rows works on both engines: int8 as a number
 * (a bigint past 2^53), arrays of name/"char"/int8 as arrays, interval as its text.
 */
type TypeId = Parameters<typeof pg.types.getTypeParser>[0];
type TextParser = (text: string) => unknown;

const TYPE_OIDS = { int8: 20, charArray: 1002, nameArray: 1003, textArray: 1009, int8Array: 1016, interval: 1186, intervalArray: 1187 } as const;

function parseInt8(text: string): number | bigint {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}

function typeParserLikePglite(oid: TypeId, format?: "text" | "binary"): TextParser {
  if (format === "binary") return pg.types.getTypeParser(oid, "binary") as TextParser;
  const textArray = pg.types.getTypeParser(TYPE_OIDS.textArray as TypeId, "text") as (text: string) => (string | null)[];
  switch (oid as number) {
    case TYPE_OIDS.int8:
      return parseInt8;
    case TYPE_OIDS.int8Array:
      return (text) => textArray(text).map((item) => (item === null ? null : parseInt8(item)));
    case TYPE_OIDS.charArray:
    case TYPE_OIDS.nameArray:
    case TYPE_OIDS.intervalArray:
      return textArray;
    case TYPE_OIDS.interval:
      return (text) => text;
    default:
      return pg.types.getTypeParser(oid, "text") as TextParser;
  }
}

interface PostgresEngineParts {
  admin: pg.Client;
  client: pg.Client;
  scratchName: string;
  version: string;
  backendPid: number;
  deadlineAt: number;
  deadlineMs: number;
  target: DatabaseUrl;
}

class PostgresEngine implements ReplayEngine {
  readonly kind = "postgres";
  readonly version: string;
  readonly #parts: PostgresEngineParts;
  readonly #deadlineTimer: NodeJS.Timeout;
  readonly #pending = new Set<(error: Error) => void>();
  #failure: ReplayUnavailableError | undefined;
  #closing: Promise<void> | undefined;

  constructor(parts: PostgresEngineParts) {
    this.#parts = parts;
    this.version = parts.version;
    this.#deadlineTimer = setTimeout(() => this.#passDeadline(), Math.min(Math.max(parts.deadlineAt - Date.now(), 0), MAX_TIMER_MS));
  }

  async exec(sql: string): Promise<void> {
    await this.#run(() => this.#parts.client.query(sql));
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    // The extended protocol, as PGlite's query(): one statement, parameters bound.
    const config: pg.QueryConfig & { queryMode: "extended" } = { text: sql, values: [...params], queryMode: "extended" };
    const result = await this.#run(() => this.#parts.client.query<Row>(config));
    return result.rows;
  }

  snapshot(): Promise<undefined> {
    return this.#failure ? Promise.reject(this.#failure) : Promise.resolve(undefined);
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    this.#fail(new ReplayUnavailableError("the replay engine is closed", "engine"));
    const { admin, client, scratchName, target } = this.#parts;
    await client.end().catch(() => undefined);
    try {
      await dropDatabase(admin, scratchName);
    } catch (error) {
      throw new ReplayUnavailableError(`could not drop the scratch database ${scratchName} on ${target.display}: ${target.redact(messageOf(error))}`, "engine");
    } finally {
      await admin.end().catch(() => undefined);
    }
  }

  #run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise<T>((resolve, reject) => {
      this.#pending.add(reject);
      work()
        .then(resolve, (error: unknown) => reject(this.#toError(error)))
        .finally(() => this.#pending.delete(reject));
    });
  }

  #toError(error: unknown): Error {
    if (this.#failure) return this.#failure;
    if (isDatabaseError(error)) {
      // Canceled at the deadline (by statement_timeout or by the timer, whichever came first).
      if (error.code === QUERY_CANCELED && Date.now() >= this.#parts.deadlineAt) {
        this.#passDeadline();
        return this.#failure ?? error;
      }
      const position = error.position === undefined ? undefined : Number(error.position);
      return new ReplaySqlError(error.message, error.code, Number.isInteger(position) ? position : undefined);
    }
    // Not the server refusing a statement: the connection is gone.
    const failure = new ReplayUnavailableError(`lost the connection to PostgreSQL at ${this.#parts.target.display}: ${this.#parts.target.redact(messageOf(error))}`, "engine");
    this.#fail(failure);
    return failure;
  }

  /** The deadline: every call rejects from now on, and the statement running is stopped. */
  #passDeadline(): void {
    if (this.#failure) return;
    this.#fail(replayDeadlineError(this.#parts.deadlineMs));
    // Ending the session stops whatever it runs (several statements sent at once too) and
    // releases its locks; the scratch database goes at close().
    this.#parts.admin.query("select pg_terminate_backend($1)", [this.#parts.backendPid]).catch(() => undefined);
  }

  #fail(reason: ReplayUnavailableError): void {
    if (this.#failure) return;
    this.#failure = reason;
    clearTimeout(this.#deadlineTimer);
    for (const reject of this.#pending) reject(reason);
    this.#pending.clear();
  }
}
