import type pg from "pg";
import { ReplaySqlError, ReplayUnavailableError, replayDeadlineError, type EngineOptions, type ReplayEngine, type Row } from "./engine.js";
import { ReplayAdmin, type ReplayIdentity } from "./postgres-admin.js";
import { DatabaseUrl, MAX_TIMER_MS, connect, isDatabaseError, messageOf } from "./postgres-connection.js";
import { templateMarker, templateOfMarker } from "./postgres-templates.js";
import type { SchemaFingerprint } from "./fingerprint.js";
import { PhaseTimer, type PhaseTimes } from "./phase-times.js";
import type { CatalogWatcher, PostgresSpares, SpareClone } from "./postgres-spares.js";
import { scrubServerMessage } from "./scrub-server-error.js";

/**
 * The external engine: a PostgreSQL server from a URL (DATABASE_URL), shared by every repository
 * that sets `replay.engine: postgres`. Each replay gets a role and a scratch database of its own
 * (src/replay/postgres-admin.ts) and drops both at close. Two connections: the replay's, as its
 * role in its database, which runs the pull request's SQL; and the admin one, as the URL's role in
 * the URL's database, which the SQL cannot see, signal or log in as: it creates and drops the
 * replay, sweeps leftovers of dead processes, and ends the replay's sessions at the deadline.
 */

const QUERY_CANCELED = "57014";
/** Admin statements (create, drop, terminate) are short; one that hangs must not hold the close. */
const ADMIN_STATEMENT_TIMEOUT_MS = 30_000;
const ADMIN_APPLICATION = "data-engineer replay admin";

/** What only the external engine takes besides the common options. */
export interface PostgresEngineOptions {
  /** Spare clones of its templates, taken instead of cloning at start (postgres-spares.ts). */
  postgresSpares?: PostgresSpares;
}

export async function openPostgresEngine(url: string, options: EngineOptions & PostgresEngineOptions): Promise<ReplayEngine> {
  // A base kept earlier: its template database (postgres-templates.ts), named by the cached marker.
  const template = options.from === undefined ? undefined : templateOfMarker(options.from);
  if (options.from !== undefined && template === undefined) {
    throw new ReplayUnavailableError("the cached base is not a template of the external PostgreSQL engine", "engine");
  }
  const deadlineAt = Date.now() + options.deadlineMs;
  const target = new DatabaseUrl(url);
  const limitMs = options.limitMs ?? options.deadlineMs;
  const beforeDeadline = <T>(work: Promise<T>) => raceDeadline(work, deadlineAt, limitMs);

  const timer = new PhaseTimer();
  const adminClient = await timer.time("start: connect as operator", () =>
    beforeDeadline(connect(target.url, target, deadlineAt, { statementTimeoutMs: ADMIN_STATEMENT_TIMEOUT_MS, applicationName: ADMIN_APPLICATION })),
  );
  let admin: ReplayAdmin | undefined;
  let identity: ReplayIdentity | undefined;
  let spare: SpareClone | undefined;
  try {
    admin = await timer.time("start: check operator", () => beforeDeadline(ReplayAdmin.prepare(adminClient, target)));
    await beforeDeadline(requireExtensions(adminClient, options.extensions ?? [], target));
    const sweeping = admin;
    await timer.time("start: sweep leftovers", () => beforeDeadline(sweeping.sweepLeftovers()));
    const spares = options.postgresSpares;
    spare =
      template === undefined || spares === undefined ? undefined : await timer.time("start: take spare clone", () => beforeDeadline(spares.take(template)));
    if (spare !== undefined) {
      const taken = spare;
      identity = taken.identity;
      const claiming = admin;
      await timer.time("start: claim spare clone", () => beforeDeadline(claiming.claim(taken.identity.name, Math.max(1, deadlineAt - Date.now()))));
    } else {
      const creating = admin.create(Math.max(1, deadlineAt - Date.now()), template, timer);
      // Past the deadline, what create() made is still dropped below once it is known.
      identity = await beforeDeadline(creating).catch(async (error: unknown) => {
        identity = await creating.catch(() => undefined);
        if (error instanceof ReplayUnavailableError) throw error;
        throw new ReplayUnavailableError(`could not create the replay's role and database on ${target.display}: ${target.redact(messageOf(error))}`, "engine");
      });
    }
    const replayUrl = target.withDatabase(identity.name, { user: identity.name, password: identity.password });
    const client = await timer.time("start: connect as replay", () => beforeDeadline(connect(replayUrl, target, deadlineAt)));
    const rows = await beforeDeadline(client.query<{ version: string; pid: number }>("select version(), pg_backend_pid() as pid")).catch(
      async (error: unknown) => {
        await client.end().catch(() => undefined);
        throw error;
      },
    );
    const { version = "unknown", pid = 0 } = rows.rows[0] ?? {};
    return new PostgresEngine({
      admin,
      adminClient,
      client,
      replayUrl,
      name: identity.name,
      version,
      backendPid: pid,
      deadlineAt,
      limitMs,
      target,
      timer,
      template,
      spares,
      openingFingerprint: spare?.fingerprint,
      watcher: spare?.watcher,
    });
  } catch (error) {
    await spare?.watcher.end();
    if (identity !== undefined) await admin?.drop(identity.name).catch(() => undefined);
    await adminClient.end().catch(() => undefined);
    if (error instanceof ReplayUnavailableError) throw error;
    throw new ReplayUnavailableError(`could not prepare the replay on ${target.display}: ${target.redact(messageOf(error))}`, "engine");
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

/** Rejects with the deadline error when the deadline passes first. */
function raceDeadline<T>(work: Promise<T>, deadlineAt: number, limitMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(replayDeadlineError(limitMs)), Math.min(Math.max(deadlineAt - Date.now(), 0), MAX_TIMER_MS));
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

interface PostgresEngineParts {
  admin: ReplayAdmin;
  adminClient: pg.Client;
  /** The replay's connection; a new one after snapshot(). */
  client: pg.Client;
  /** How the replay's role connects to its database (with its password). */
  replayUrl: string;
  /** The replay's role and database. */
  name: string;
  version: string;
  backendPid: number;
  deadlineAt: number;
  /** The replay's whole time limit, for the message. */
  limitMs: number;
  target: DatabaseUrl;
  /** The start's parts, and the close's once it ran. */
  timer: PhaseTimer;
  /** The template the replay started from, or the one it kept: a spare of it is made after close. */
  template: string | undefined;
  spares: PostgresSpares | undefined;
  /** The spare's fingerprint, read before any replay session existed; dropped once SQL runs. */
  openingFingerprint: SchemaFingerprint | undefined;
  /** The spare's operator session in the replay's database, which reads the later fingerprints. */
  watcher: CatalogWatcher | undefined;
}

class PostgresEngine implements ReplayEngine {
  readonly kind = "postgres";
  readonly version: string;
  readonly phases: Readonly<PhaseTimes>;
  readonly #parts: PostgresEngineParts;
  readonly #deadlineTimer: NodeJS.Timeout;
  readonly #pending = new Set<(error: Error) => void>();
  readonly #hidden: string[];
  #failure: ReplayUnavailableError | undefined;
  #closing: Promise<void> | undefined;

  constructor(parts: PostgresEngineParts) {
    this.#parts = parts;
    this.version = parts.version;
    this.phases = parts.timer.times;
    const operator = new URL(parts.target.url);
    this.#hidden = [decodeURIComponent(operator.username), decodeURIComponent(operator.pathname.slice(1)), operator.hostname].filter((name) => name.length > 0);
    this.#deadlineTimer = setTimeout(() => this.#passDeadline(), Math.min(Math.max(parts.deadlineAt - Date.now(), 0), MAX_TIMER_MS));
  }

  async exec(sql: string): Promise<void> {
    // RESET ALL changes the session's settings, never the catalogs the opening fingerprint read.
    if (sql !== "RESET ALL") this.#parts.openingFingerprint = undefined;
    await this.#run(() => this.#parts.client.query(sql));
  }

  async catalogFingerprint(): Promise<SchemaFingerprint | undefined> {
    const { watcher, openingFingerprint } = this.#parts;
    if (watcher === undefined) return undefined;
    if (openingFingerprint !== undefined) return openingFingerprint;
    // The watcher sees what is committed: a transaction the SQL left open would hide its changes.
    // Outside a transaction block, now() is the statement's own start. Qualified: the SQL may have changed the search_path.
    const [state] = await this.#run(() =>
      this.#parts.client.query<{ idle: boolean }>("SELECT pg_catalog.now() OPERATOR(pg_catalog.=) pg_catalog.statement_timestamp() AS idle"),
    ).then((result) => result.rows);
    if (state?.idle !== true) return undefined;
    return this.#run(() => watcher.read());
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    // Any query may call a function that changes the schema: the opening fingerprint is no longer the schema.
    this.#parts.openingFingerprint = undefined;
    // The extended protocol, as PGlite's query(): one statement, parameters bound.
    const config: pg.QueryConfig & { queryMode: "extended" } = { text: sql, values: [...params], queryMode: "extended" };
    const result = await this.#run(() => this.#parts.client.query<Row>(config));
    return result.rows;
  }

  /**
   * Keeps the database as it is now as a template (postgres-templates.ts) and returns the marker
   * that names it; the replay then goes on in its own database. Copying needs the database free of
   * sessions: the replay's one connection is ended and opened again.
   */
  async snapshot(): Promise<Uint8Array> {
    if (this.#failure) throw this.#failure;
    const parts = this.#parts;
    await parts.client.end().catch(() => undefined);
    let kept: string | undefined;
    let failure: unknown;
    try {
      kept = await parts.admin.keepAsTemplate(parts.name);
      parts.template = kept;
    } catch (error) {
      failure = error;
    }
    try {
      parts.client = await connect(parts.replayUrl, parts.target, parts.deadlineAt);
    } catch (error) {
      const lost = error instanceof ReplayUnavailableError ? error : new ReplayUnavailableError(messageOf(error), "engine");
      this.#fail(lost);
      throw lost;
    }
    if (kept === undefined) {
      throw new ReplayUnavailableError(
        `could not keep the base schema as a template database on ${parts.target.display}: ${parts.target.redact(messageOf(failure))}`,
        "unsupported",
      );
    }
    return templateMarker(kept);
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    this.#fail(new ReplayUnavailableError("the replay engine is closed", "engine"));
    const { admin, adminClient, client, name, target, timer, watcher } = this.#parts;
    await client.end().catch(() => undefined);
    await watcher?.end();
    try {
      await admin.drop(name, timer).catch(async (error: unknown) => {
        if (isDatabaseError(error)) throw error;
        // The admin connection is gone (a network cut; the SQL cannot end it): drop with a new one.
        const again = await connect(target.url, target, Date.now() + ADMIN_STATEMENT_TIMEOUT_MS, {
          statementTimeoutMs: ADMIN_STATEMENT_TIMEOUT_MS,
          applicationName: ADMIN_APPLICATION,
        });
        try {
          await (await ReplayAdmin.prepare(again, target)).drop(name);
        } finally {
          await again.end().catch(() => undefined);
        }
      });
    } catch (error) {
      throw new ReplayUnavailableError(
        `could not drop the replay's database and role ${name} on ${target.display}: ${target.redact(messageOf(error))}`,
        "engine",
      );
    } finally {
      await adminClient.end().catch(() => undefined);
      // The next replay on this base takes a clone made now, while no replay of this one runs.
      if (this.#parts.template !== undefined) this.#parts.spares?.prepare(this.#parts.template);
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
      const message = scrubServerMessage(error.message, { own: this.#parts.name, hidden: this.#hidden, redact: (text) => this.#parts.target.redact(text) });
      return new ReplaySqlError(message, error.code, Number.isInteger(position) ? position : undefined);
    }
    // Not the server refusing a statement: the connection is gone.
    const failure = new ReplayUnavailableError(
      `lost the connection to PostgreSQL at ${this.#parts.target.display}: ${this.#parts.target.redact(messageOf(error))}`,
      "engine",
    );
    this.#fail(failure);
    return failure;
  }

  /** The deadline: every call rejects from now on, and every session of the replay is ended. */
  #passDeadline(): void {
    if (this.#failure) return;
    this.#fail(replayDeadlineError(this.#parts.limitMs));
    // Ending the sessions stops whatever they run (several statements sent at once too) and
    // releases their locks; the database and the role go at close().
    this.#parts.admin.terminate(this.#parts.name).catch(() => undefined);
  }

  #fail(reason: ReplayUnavailableError): void {
    if (this.#failure) return;
    this.#failure = reason;
    clearTimeout(this.#deadlineTimer);
    for (const reject of this.#pending) reject(reason);
    this.#pending.clear();
  }
}
