import type pg from "pg";
import { ReplayUnavailableError } from "./engine.js";

/**
 * Connecting to the external engine's server: the URL (which server, said without the password),
 * clients whose rows look like PGlite's, and the shapes of the errors the driver throws.
 */

/** Node's timers take at most 2^31-1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The URL, for connecting to another database or as another role on the same server, and for
 * saying which server it is in messages without the password.
 */
export class DatabaseUrl {
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

  /** The same server, another database; as another role (with its password) when given. */
  withDatabase(name: string, as?: { user: string; password: string }): string {
    const other = new URL(this.#parsed.toString());
    other.pathname = `/${name}`;
    other.searchParams.delete("database");
    other.searchParams.delete("dbname");
    if (as) {
      other.username = encodeURIComponent(as.user);
      other.password = encodeURIComponent(as.password);
      other.searchParams.delete("user");
      other.searchParams.delete("password");
    }
    return other.toString();
  }

  /** The text with every form of the password in it masked. */
  redact(text: string): string {
    return this.#secrets.reduce((masked, secret) => masked.split(secret).join("***"), text);
  }
}

export interface ConnectSettings {
  statementTimeoutMs?: number;
  applicationName?: string;
}

export async function connect(url: string, target: DatabaseUrl, deadlineAt: number, settings: ConnectSettings = {}): Promise<pg.Client> {
  // pg is loaded on the first connection, not when the server starts: a server without
  // DATABASE_URL never uses it (issue 20, /readyz within 0.5 s).
  const { default: pgModule } = await import("pg");
  const types = pgModule.types;
  const client = new pgModule.Client({
    connectionString: url,
    connectionTimeoutMillis: Math.max(1, Math.min(deadlineAt - Date.now(), 30_000)),
    application_name: settings.applicationName ?? "data-engineer replay",
    types: { getTypeParser: (oid: TypeId, format?: "text" | "binary") => typeParserLikePglite(types, oid, format) },
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

export interface DatabaseErrorLike extends Error {
  code: string;
  position?: string;
}

export function isDatabaseError(error: unknown): error is DatabaseErrorLike {
  return error instanceof Error && "severity" in error && "code" in error && typeof error.code === "string";
}

export function messageOf(error: unknown): string {
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

function typeParserLikePglite(types: typeof pg.types, oid: TypeId, format?: "text" | "binary"): TextParser {
  if (format === "binary") return types.getTypeParser(oid, "binary") as TextParser;
  const textArray = types.getTypeParser(TYPE_OIDS.textArray as TypeId, "text") as (text: string) => (string | null)[];
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
      return types.getTypeParser(oid, "text") as TextParser;
  }
}
