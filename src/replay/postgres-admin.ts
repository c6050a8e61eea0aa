import { randomBytes } from "node:crypto";
import type pg from "pg";
import { ReplayUnavailableError } from "./engine.js";
import { PhaseTimer } from "./phase-times.js";
import { connect, isDatabaseError, type DatabaseUrl } from "./postgres-connection.js";
import { KEPT_TEMPLATES, TemplateAdmin, cloneStrategy, templateIdentifier } from "./postgres-templates.js";

/**
 * The external engine's admin side: what the operator's role (DATABASE_URL) does and the pull
 * request's SQL cannot reach. Each replay gets a role and a database of the same name,
 * `data_engineer_replay_<server epoch seconds>_<random>`: the role logs in with a password only
 * this process knows, owns that database and nothing else, is a member of no role, and may hold
 * one connection. PostgreSQL shows another role's queries in pg_stat_activity only to members of
 * that role or of pg_read_all_stats, and lets a session signal only backends of roles whose
 * privileges it has (or with pg_signal_backend): a replay role sees and stops nobody's sessions
 * but its own. Dropping the database (WITH FORCE) and the role ends everything it started.
 */

export const SCRATCH_PREFIX = "data_engineer_replay_";
const NAME_PATTERN = /^data_engineer_replay_(\d{1,12})_[0-9a-f]{12}$/;
/**
 * A replay name older than this is a leftover (a process that died before its close): the
 * repository's deadline is at most 900 s, and the replay's own statement_timeout ends with it.
 */
export const LEFTOVER_AFTER_SECONDS = 1_800;

/**
 * Memberships that let SQL reach beyond its database: programs and files of the server, every
 * table, other sessions' queries and backends, the WAL. Membership is followed through every grant
 * (pg_auth_members rows, whatever their INHERIT, SET or ADMIN option): a role one can SET ROLE to,
 * or grant oneself with ADMIN OPTION, is a role one has.
 */
const POWERFUL_ROLES = [
  "pg_execute_server_program",
  "pg_read_server_files",
  "pg_write_server_files",
  "pg_read_all_data",
  "pg_write_all_data",
  "pg_read_all_stats",
  "pg_read_all_settings",
  "pg_signal_backend",
  "pg_checkpoint",
  "pg_create_subscription",
];

/** The admin's own short sessions in a template or a clone: connect and statements. */
const ADMIN_CONNECT_MS = 30_000;

/**
 * Every role `$1` reaches through pg_auth_members, following every row whatever its options: up to
 * 15 a row is a membership (inherited or not); from 16 a row may grant only ADMIN, only SET or
 * neither INHERIT nor SET, and each of those still lets the member act as or grant itself the role.
 */
export const REACHABLE_ROLES_SQL = `WITH RECURSIVE reach(oid) AS (
         SELECT oid FROM pg_roles WHERE rolname = $1
         UNION SELECT m.roleid FROM pg_auth_members m JOIN reach ON m.member = reach.oid)
       SELECT r.rolname AS name, r.rolsuper AS super, r.rolreplication AS replication, r.rolbypassrls AS bypassrls
       FROM pg_roles r JOIN reach USING (oid) WHERE r.rolname <> $1 ORDER BY r.rolname`;

export interface ReplayIdentity {
  /** The role's and the database's name. */
  name: string;
  password: string;
}

interface ReachedRole {
  name: string;
  super: boolean;
  replication: boolean;
  bypassrls: boolean;
}

export class ReplayAdmin {
  readonly #client: pg.Client;
  readonly #target: DatabaseUrl;
  readonly #serverVersion: number;
  readonly #templates: TemplateAdmin;
  readonly #connectTo: (database: string) => Promise<pg.Client>;

  private constructor(client: pg.Client, target: DatabaseUrl, serverVersion: number) {
    this.#client = client;
    this.#target = target;
    this.#serverVersion = serverVersion;
    // REASSIGN OWNED acts in the current database: a short admin session in the template or clone.
    this.#connectTo = (database) =>
      connect(target.withDatabase(database), target, Date.now() + ADMIN_CONNECT_MS, {
        statementTimeoutMs: ADMIN_CONNECT_MS,
        applicationName: "data-engineer replay admin",
      });
    this.#templates = new TemplateAdmin(client, serverVersion, this.#connectTo);
  }

  /** Checks the operator's role and readies the session for creating replay roles. */
  static async prepare(client: pg.Client, target: DatabaseUrl): Promise<ReplayAdmin> {
    const { rows } = await client.query<{ num: number }>("SELECT current_setting('server_version_num')::int AS num");
    const admin = new ReplayAdmin(client, target, rows[0]?.num ?? 0);
    await admin.#refuseUnsafeOperator();
    // PostgreSQL 16+: a CREATEROLE role gets ADMIN OPTION on the roles it creates, and with this
    // also SET (to create the database owned by the role) and INHERIT (to terminate its backends
    // and drop its database). The grant goes from the operator to the replay role, never back.
    if (admin.#serverVersion >= 160000) await client.query("SET createrole_self_grant = 'set, inherit'");
    return admin;
  }

  /**
   * The operator's role must create roles and databases and be nothing more: not a superuser,
   * not replicating or bypassing row security, and reaching no superuser or predefined role
   * of POWERFUL_ROLES through any chain of grants.
   */
  async #refuseUnsafeOperator(): Promise<void> {
    const { rows } = await this.#client.query<{
      name: string;
      super: boolean;
      createrole: boolean;
      createdb: boolean;
      replication: boolean;
      bypassrls: boolean;
      inherit: boolean;
    }>(
      `SELECT rolname AS name, rolsuper AS super, rolcreaterole AS createrole, rolcreatedb AS createdb, rolreplication AS replication,
              rolbypassrls AS bypassrls, rolinherit AS inherit
       FROM pg_roles WHERE rolname = current_user`,
    );
    const role = rows[0];
    if (!role) throw new ReplayUnavailableError(`the role of DATABASE_URL (${this.#target.display}) is not in pg_roles`, "unsupported");
    const reached = (await this.reachableRoles(role.name)).filter((r) => r.super || r.replication || r.bypassrls || POWERFUL_ROLES.includes(r.name));
    const powers = [
      ...(role.super ? ["is a superuser"] : []),
      ...(role.replication ? ["can replicate"] : []),
      ...(role.bypassrls ? ["bypasses row-level security"] : []),
      ...(reached.length > 0 ? [`is a member of ${reached.map((r) => r.name).join(", ")}`] : []),
    ];
    if (powers.length > 0) {
      throw new ReplayUnavailableError(
        `the role "${role.name}" of DATABASE_URL (${this.#target.display}) ${powers.join(" and ")}; the replay refuses such a role. Give it a dedicated role with CREATEDB and CREATEROLE only`,
        "unsupported",
      );
    }
    const missing = [...(role.createdb ? [] : ["CREATEDB"]), ...(role.createrole ? [] : ["CREATEROLE"])];
    if (missing.length > 0) {
      throw new ReplayUnavailableError(
        `the role "${role.name}" of DATABASE_URL (${this.#target.display}) lacks ${missing.join(" and ")}: each replay runs as a role and in a database of its own, which this role creates and drops`,
        "unsupported",
      );
    }
    // Before 16, a member acts with the rights of a role it belongs to only if it inherits them.
    if (this.#serverVersion < 160000 && !role.inherit) {
      throw new ReplayUnavailableError(
        `the role "${role.name}" of DATABASE_URL (${this.#target.display}) is NOINHERIT: on PostgreSQL before 16 it cannot then stop the replay roles it creates`,
        "unsupported",
      );
    }
  }

  /** Every role the given one reaches through pg_auth_members, whatever the grant's options. */
  async reachableRoles(name: string): Promise<ReachedRole[]> {
    const { rows } = await this.#client.query<ReachedRole>(REACHABLE_ROLES_SQL, [name]);
    return rows;
  }

  /** The server's clock in whole seconds: names carry it, so that every process sharing the server ages them alike. */
  async #serverSeconds(): Promise<number> {
    const { rows } = await this.#client.query<{ now: string }>("SELECT floor(extract(epoch FROM now()))::bigint::text AS now");
    return Number(rows[0]?.now ?? 0);
  }

  /**
   * Drops replay roles and databases left by a process that died mid-replay: those whose name is
   * older than LEFTOVER_AFTER_SECONDS, and those in an older name format that no session uses.
   * Those this role may not drop (another operator's) stay. Returns what it dropped.
   */
  async sweepLeftovers(): Promise<string[]> {
    const now = await this.#serverSeconds();
    // An unfinished template holds objects of the replay role that made it: it goes first, so that role can go.
    const templates = await this.#templates.prune(KEPT_TEMPLATES, now, LEFTOVER_AFTER_SECONDS);
    const { rows } = await this.#client.query<{ name: string; sessions: number }>(
      `SELECT n.name, (SELECT count(*)::int FROM pg_stat_activity a WHERE a.datname = n.name OR a.usename = n.name) AS sessions
       FROM (SELECT datname::text AS name FROM pg_database UNION SELECT rolname::text FROM pg_roles) n
       WHERE n.name LIKE 'data\\_engineer\\_replay\\_%'`,
    );
    const swept: string[] = [];
    for (const { name, sessions } of rows) {
      const created = NAME_PATTERN.exec(name)?.[1];
      const leftover = created === undefined ? sessions === 0 : now - Number(created) > LEFTOVER_AFTER_SECONDS;
      if (!leftover || !/^[a-z0-9_]+$/.test(name)) continue;
      try {
        await this.drop(name);
        swept.push(name);
      } catch (error) {
        if (!isDatabaseError(error)) throw error;
      }
    }
    return [...templates, ...swept];
  }

  /**
   * A new replay role and its database; the role's sessions time out at statementTimeoutMs. With
   * `template`, the database is a copy of that template (postgres-templates.ts), its objects the role's.
   */
  async create(statementTimeoutMs: number, template?: string, timer = new PhaseTimer()): Promise<ReplayIdentity> {
    const name = `${SCRATCH_PREFIX}${await this.#serverSeconds()}_${randomBytes(6).toString("hex")}`;
    const password = randomBytes(24).toString("hex");
    const role = identifier(name);
    try {
      // INHERIT: the owner of a database has the rights of its public schema through the implicit
      // pg_database_owner, and only if it inherits them; it has no other membership to inherit.
      await timer.time("start: create role", async () => {
        await this.#client.query(
          `CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 1 PASSWORD '${password}'`,
        );
        if (this.#serverVersion < 160000) await this.#client.query(`GRANT ${role} TO CURRENT_USER`);
        // The server's side of the deadline, for every session of the role; the SQL may SET its own,
        // which is why the engine's timer and terminate() are what keep the deadline.
        await this.#client.query(`ALTER ROLE ${role} SET statement_timeout = ${Math.max(1, Math.floor(statementTimeoutMs))}`);
      });
      await timer.time(template === undefined ? "start: create database" : "start: clone base", async () => {
        if (template === undefined) {
          await this.#client.query(`CREATE DATABASE ${role} OWNER ${role}`);
        } else {
          await this.#client.query(`CREATE DATABASE ${role} TEMPLATE ${templateIdentifier(template)}${cloneStrategy(this.#serverVersion)} OWNER ${role}`);
        }
        // PUBLIC may connect to a new database: only its role may connect to this one.
        await this.#client.query(`REVOKE ALL ON DATABASE ${role} FROM PUBLIC`);
      });
      if (template !== undefined) await timer.time("start: hand base objects to the role", () => this.#templates.adopt(name, template, role));
      await timer.time("start: check role membership", () => this.#requireNoMembership(name));
      return { name, password };
    } catch (error) {
      await this.drop(name).catch(() => undefined);
      throw error;
    }
  }

  /**
   * A replay made earlier (a spare clone, postgres-spares.ts) readied for the replay about to
   * run: its role's sessions time out at statementTimeoutMs, and it still belongs to no role.
   */
  async claim(name: string, statementTimeoutMs: number): Promise<void> {
    await this.#client.query(`ALTER ROLE ${identifier(name)} SET statement_timeout = ${Math.max(1, Math.floor(statementTimeoutMs))}`);
    await this.#requireNoMembership(name);
  }

  /** A session of the operator's role in the replay's database (the caller ends it; dropping the database ends it too). */
  connectAsOperator(name: string): Promise<pg.Client> {
    return this.#connectTo(identifier(name).slice(1, -1));
  }

  async #requireNoMembership(name: string): Promise<void> {
    const reached = await this.reachableRoles(name);
    if (reached.length === 0) return;
    throw new ReplayUnavailableError(
      `the replay role is a member of ${reached.map((r) => r.name).join(", ")} on ${this.#target.display}; the replay refuses to run SQL with it`,
      "unsupported",
    );
  }

  /**
   * Copies the replay's database into a new template (none of the replay's sessions may be open)
   * and returns the template's name; the replay goes on in its own database afterwards.
   */
  async keepAsTemplate(name: string): Promise<string> {
    return this.#templates.keep(identifier(name), await this.#serverSeconds());
  }

  /** Ends every session in the replay's database or of its role (the deadline). */
  async terminate(name: string): Promise<void> {
    await this.#client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE (datname = $1 OR usename = $1) AND pid <> pg_backend_pid()", [name]);
  }

  /** Drops the replay's database (ending its sessions) and its role. */
  async drop(name: string, timer = new PhaseTimer()): Promise<void> {
    const quoted = identifier(name);
    await timer.time("close: drop database", async () => {
      try {
        await this.#client.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
      } catch (error) {
        // WITH (FORCE) is PostgreSQL 13+: on older servers, end the sessions first.
        if (!(isDatabaseError(error) && error.code === "42601")) throw error;
        await this.terminate(name);
        await this.#client.query(`DROP DATABASE IF EXISTS ${quoted}`);
      }
    });
    await timer.time("close: drop role", async () => {
      await this.terminate(name);
      await this.#client.query(`DROP ROLE IF EXISTS ${quoted}`);
    });
  }
}

/** Our own names only, quoted: they never come from the pull request. */
function identifier(name: string): string {
  if (!/^data_engineer_replay_[a-z0-9_]+$/.test(name)) throw new Error(`not a replay name: ${name}`);
  return `"${name}"`;
}
