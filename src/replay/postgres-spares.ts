import { createHash } from "node:crypto";
import type pg from "pg";
import { fingerprint, type SchemaFingerprint } from "./fingerprint.js";
import { LEFTOVER_AFTER_SECONDS, ReplayAdmin, type ReplayIdentity } from "./postgres-admin.js";
import { DatabaseUrl, connect } from "./postgres-connection.js";

/**
 * Spare clones of base templates on the external engine: the replay after a kept base, and every
 * replay after that, finds its role and database already cloned from the template (CREATE
 * DATABASE … TEMPLATE, the objects handed to its role) and the schema's fingerprint already read,
 * so that a replay from a cached base starts with a connection instead of a copy. Measured on the
 * test cluster (bench:replay), the copy and the hand-over are most of a start from a template.
 *
 * A spare is an ordinary replay role and database (postgres-admin.ts): same name pattern, same
 * refusals, a password only this process knows, CONNECTION LIMIT 1, no membership. The replay
 * that takes it sets the role's statement_timeout to its own deadline and checks its memberships
 * again. One spare per template, made in the background when a replay that started from that
 * template (or kept it) closes, by a session of its own. A spare older than SPARE_MAX_AGE_SECONDS is
 * dropped instead of used: its name carries its creation time, and every process's sweep drops
 * a replay name older than LEFTOVER_AFTER_SECONDS, which must not happen to a replay that is running.
 * A process that dies leaves its spares to that sweep.
 */

/** LEFTOVER_AFTER_SECONDS less the longest deadline (900 s) and a margin for the clocks. */
export const SPARE_MAX_AGE_SECONDS = LEFTOVER_AFTER_SECONDS - 900 - 300;
/** Spares kept at most (the newest templates'); each is a database the size of its base. */
const MAX_SPARES = 4;
/** A spare's role has this statement_timeout until a replay takes it: no session of it exists before. */
const UNCLAIMED_TIMEOUT_MS = 60_000;

export interface SpareClone {
  identity: ReplayIdentity;
  template: string;
  /** Date.now() when its making began (its name's time, on this machine's clock). */
  madeAt: number;
  /** Read by the operator's session in the spare, before any replay session: the schema as cloned. */
  fingerprint: SchemaFingerprint;
  /**
   * That session, kept open for the replay's later fingerprints: warm (its catalog caches loaded,
   * the catalog query prepared) and out of reach of the pull request's SQL, which can neither see
   * nor signal the operator's sessions, nor touch their prepared statements or settings.
   */
  watcher: CatalogWatcher;
}

/** The operator's session in a replay's database that reads its fingerprint. */
export class CatalogWatcher {
  constructor(private readonly client: pg.Client) {}

  read(): Promise<SchemaFingerprint> {
    // Only this process's code runs in this session, so a named (prepared, planned once) statement is safe here.
    return fingerprint({
      query: async (sql, params = []) =>
        (await this.client.query<Record<string, unknown>>({ text: sql, values: [...params], ...(sql.length > 1_000 ? { name: preparedName(sql) } : {}) })).rows,
    });
  }

  async end(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

function preparedName(sql: string): string {
  return `data_engineer_${createHash("sha256").update(sql).digest("hex").slice(0, 16)}`;
}

export class PostgresSpares {
  readonly #target: DatabaseUrl;
  readonly #now: () => number;
  /** By template: the spare being made or ready. Whoever deletes an entry owns its spare. */
  readonly #spares = new Map<string, Promise<SpareClone | undefined>>();
  /** Drops running in the background, which idle() and close() wait for. */
  readonly #dropping = new Set<Promise<void>>();
  #closed = false;

  constructor(url: string, now: () => number = Date.now) {
    this.#target = new DatabaseUrl(url);
    this.#now = now;
  }

  /**
   * The spare of `template`, waiting for it when it is being made, or undefined (none, failed, too
   * old: then the caller clones as usual). The engine asks for the next one when it closes, so
   * that making it does not compete with the replay for the server.
   */
  async take(template: string): Promise<SpareClone | undefined> {
    const pending = this.#spares.get(template);
    this.#spares.delete(template);
    const spare = await pending?.catch(() => undefined);
    if (spare === undefined) return undefined;
    if (this.#now() - spare.madeAt > SPARE_MAX_AGE_SECONDS * 1000) {
      this.#dropLater(spare);
      return undefined;
    }
    return spare;
  }

  /** Starts making a spare of `template` in the background, unless there is one. */
  prepare(template: string): void {
    if (this.#closed || this.#spares.has(template)) return;
    // Failures are the next replay's to see (it clones as usual); the spare is then absent.
    const making = this.#make(template).catch(() => undefined);
    this.#spares.set(template, making);
    while (this.#spares.size > MAX_SPARES) {
      const [oldest] = this.#spares.keys();
      if (oldest === undefined) break;
      const dropped = this.#spares.get(oldest);
      this.#spares.delete(oldest);
      void dropped?.then((spare) => spare && this.#dropLater(spare));
    }
  }

  /** Waits until every spare being made is ready (or failed). */
  async idle(): Promise<void> {
    await Promise.all([...this.#spares.values(), ...this.#dropping]);
  }

  /** Waits for spares being made, then drops every spare: nothing of this process stays on the server. */
  async close(): Promise<void> {
    this.#closed = true;
    const spares = [...this.#spares.values()];
    this.#spares.clear();
    for (const spare of await Promise.all(spares)) {
      if (spare === undefined) continue;
      await spare.watcher.end();
      await this.#drop(spare.identity.name);
    }
    await Promise.all(this.#dropping);
  }

  async #make(template: string): Promise<SpareClone | undefined> {
    const madeAt = this.#now();
    return this.#withAdmin(async (admin) => {
      const identity = await admin.create(UNCLAIMED_TIMEOUT_MS, template);
      let watcher: CatalogWatcher | undefined;
      try {
        watcher = new CatalogWatcher(await admin.connectAsOperator(identity.name));
        const read = await watcher.read();
        if (this.#closed) throw new Error("closed while the spare was made");
        return { identity, template, madeAt, fingerprint: read, watcher };
      } catch (error) {
        await watcher?.end();
        await admin.drop(identity.name).catch(() => undefined);
        throw error;
      }
    });
  }

  #dropLater(spare: SpareClone): void {
    const dropping = spare.watcher.end().then(() => this.#drop(spare.identity.name));
    this.#dropping.add(dropping);
    void dropping.finally(() => this.#dropping.delete(dropping));
  }

  async #drop(name: string): Promise<void> {
    await this.#withAdmin((admin) => admin.drop(name)).catch(() => undefined);
  }

  async #withAdmin<T>(work: (admin: ReplayAdmin) => Promise<T>): Promise<T> {
    const client = await connect(this.#target.url, this.#target, this.#now() + 30_000, {
      statementTimeoutMs: 30_000,
      applicationName: "data-engineer replay admin",
    });
    try {
      return await work(await ReplayAdmin.prepare(client, this.#target));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
