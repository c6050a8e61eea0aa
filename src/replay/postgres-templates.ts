import { randomBytes } from "node:crypto";
import type pg from "pg";
import { isDatabaseError } from "./postgres-connection.js";

/**
 * Base histories kept as template databases on the external engine's server: the first replay on
 * a base runs every base migration and copies its database into a template; the next replays on
 * that base create their database from the template (CREATE DATABASE … TEMPLATE), which takes a
 * fraction of a second instead of replaying the history.
 *
 * Ownership is what makes this safe to share. The copied objects belong to the replay role that
 * ran the base, which is dropped at the end of its replay; so the template's objects are handed
 * to a NOLOGIN role of the template's own name, and each clone hands them to its replay's role
 * (REASSIGN OWNED, in that database only). The template database itself belongs to the
 * operator's role, refuses connections (ALLOW_CONNECTIONS false) and grants PUBLIC nothing, so no
 * replay role can read or change it; the template role owns no database, so a REASSIGN from it
 * moves nothing but the clone's objects. ALLOW_CONNECTIONS false is set last: a template that
 * still allows them was never finished (its process died) and is swept.
 *
 * Facts checked on PostgreSQL 15 (test/replay/postgres-template.test.ts): REASSIGN OWNED also
 * moves databases the old role owns (so the replay's own database is handed back afterwards, which
 * ALTER DATABASE … OWNER allows only to a role with CREATEDB); the new owner of a table needs
 * CREATE on its schema; DROP OWNED then clears the old role's privileges and default privileges.
 */

export const TEMPLATE_PREFIX = "data_engineer_template_";
const TEMPLATE_PATTERN = /^data_engineer_template_(\d{1,12})_[0-9a-f]{12}$/;
/** Templates kept per server; older ones are dropped when a new one is made. */
export const KEPT_TEMPLATES = 8;
/**
 * How a clone copies the template. WAL_LOG (15+) writes the small template into the WAL; FILE_COPY
 * makes the server checkpoint twice, which on a server shared by many replays waits for everyone's
 * dirty pages: measured on the test cluster (PostgreSQL 15, fsync on), WAL_LOG 0.38–0.54 s against
 * FILE_COPY 0.99–2.32 s for a small schema. bench:replay prints the clone time.
 */
const CLONE_STRATEGY = "WAL_LOG";

const MARKER_HEADER = "data-engineer postgres template v1\n";

/** What the replay cache keeps for a template: its name (the image of an external engine). */
export function templateMarker(name: string): Uint8Array {
  return new TextEncoder().encode(`${MARKER_HEADER}${templateIdentifier(name).slice(1, -1)}\n`);
}

/** The template a cached marker names, or undefined when the bytes are no marker of ours. */
export function templateOfMarker(image: Uint8Array): string | undefined {
  const text = new TextDecoder().decode(image);
  if (!text.startsWith(MARKER_HEADER)) return undefined;
  const name = text.slice(MARKER_HEADER.length).trim();
  return TEMPLATE_PATTERN.test(name) ? name : undefined;
}

/** Template names only, quoted: made here, never from the pull request. */
export function templateIdentifier(name: string): string {
  if (!TEMPLATE_PATTERN.test(name)) throw new Error(`not a template name: ${name}`);
  return `"${name}"`;
}

export function newTemplateName(serverSeconds: number): string {
  return `${TEMPLATE_PREFIX}${serverSeconds}_${randomBytes(6).toString("hex")}`;
}

/** `STRATEGY …` where the server has it (15+). */
export function cloneStrategy(serverVersion: number): string {
  return serverVersion >= 150000 ? ` STRATEGY ${CLONE_STRATEGY}` : "";
}

/**
 * The operator's side of the templates, on its admin connection. `connectTo` opens a connection
 * as the operator's role to another database of the server (REASSIGN OWNED acts in the current
 * database only).
 */
export class TemplateAdmin {
  constructor(
    private readonly client: pg.Client,
    private readonly serverVersion: number,
    private readonly connectTo: (database: string) => Promise<pg.Client>,
  ) {}

  /**
   * Copies the replay's database (no session may be connected to it) into a new template whose
   * objects its own role owns. `quotedOwner` is the replay's role and database; it owns its database
   * again afterwards. Returns the template's name.
   */
  async keep(quotedOwner: string, serverSeconds: number): Promise<string> {
    const name = newTemplateName(serverSeconds);
    const template = templateIdentifier(name);
    try {
      await this.client.query(`CREATE DATABASE ${template} TEMPLATE ${quotedOwner}${cloneStrategy(this.serverVersion)}`);
      await this.client.query(`REVOKE ALL ON DATABASE ${template} FROM PUBLIC`);
      await this.client.query(`CREATE ROLE ${template} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS`);
      // Before 16 the creator of a role has its rights only as a member (16+: createrole_self_grant).
      if (this.serverVersion < 160000) await this.client.query(`GRANT ${template} TO CURRENT_USER`);
      const inside = await this.connectTo(name);
      try {
        await inside.query(`GRANT CREATE ON SCHEMA public TO ${template}`);
        await inside.query(`REASSIGN OWNED BY ${quotedOwner} TO ${template}`);
        await inside.query(`DROP OWNED BY ${quotedOwner}`);
        await inside.query(`REVOKE CREATE ON SCHEMA public FROM ${template}`);
      } finally {
        await inside.end().catch(() => undefined);
      }
      // REASSIGN OWNED moved the replay's own database to the template role too: hand it back.
      // A database's new owner must have CREATEDB; the replay role gets it for this statement only,
      // while none of its sessions exists (the caller ended its one connection).
      await this.client.query(`ALTER ROLE ${quotedOwner} CREATEDB`);
      try {
        await this.client.query(`ALTER DATABASE ${quotedOwner} OWNER TO ${quotedOwner}`);
      } finally {
        await this.client.query(`ALTER ROLE ${quotedOwner} NOCREATEDB`);
      }
      await this.client.query(`ALTER DATABASE ${template} WITH ALLOW_CONNECTIONS false`);
    } catch (error) {
      await this.drop(name).catch(() => undefined);
      throw error;
    }
    await this.prune(KEPT_TEMPLATES).catch(() => undefined);
    return name;
  }

  /** In a database cloned from `template`: its objects go to the replay's role `owner`. */
  async adopt(database: string, template: string, quotedOwner: string): Promise<void> {
    const inside = await this.connectTo(database);
    try {
      await inside.query(`REASSIGN OWNED BY ${templateIdentifier(template)} TO ${quotedOwner}`);
    } finally {
      await inside.end().catch(() => undefined);
    }
  }

  /** Drops a template's database and role. */
  async drop(name: string): Promise<void> {
    const quoted = templateIdentifier(name);
    await this.client.query(`DROP DATABASE IF EXISTS ${quoted}`);
    await this.client.query(`DROP ROLE IF EXISTS ${quoted}`);
  }

  /**
   * Keeps the newest `keep` finished templates and drops the rest, and drops unfinished ones
   * (still allowing connections) older than `unfinishedAfterSeconds`. A template a clone is being
   * made from cannot be dropped at that moment; it stays for the next prune.
   */
  async prune(keep: number, now?: number, unfinishedAfterSeconds = 1_800): Promise<string[]> {
    const { rows } = await this.client.query<{ name: string; finished: boolean }>(
      `SELECT datname::text AS name, NOT datallowconn AS finished FROM pg_database
       WHERE datname LIKE 'data\\_engineer\\_template\\_%' ORDER BY oid DESC`,
    );
    const ours = rows.filter((row) => TEMPLATE_PATTERN.test(row.name));
    const finished = ours.filter((row) => row.finished).slice(keep);
    const unfinished =
      now === undefined ? [] : ours.filter((row) => !row.finished && now - Number(TEMPLATE_PATTERN.exec(row.name)?.[1] ?? now) > unfinishedAfterSeconds);
    const dropped: string[] = [];
    for (const { name } of [...finished, ...unfinished]) {
      try {
        await this.drop(name);
        dropped.push(name);
      } catch (error) {
        if (!isDatabaseError(error)) throw error;
      }
    }
    return dropped;
  }
}
