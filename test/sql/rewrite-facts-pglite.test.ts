import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NON_VOLATILE_FUNCTIONS, VOLATILE_FUNCTIONS } from "../../src/sql/lock-tables.js";
import { SchemaFacts, statementLocks, type StatementLocks } from "../../src/sql/locks.js";
import { loadSqlParser, parseSql } from "../../src/sql/parse.js";
import { SourceText } from "../../src/sql/source-text.js";

/**
 * The facts the rules state about rewrites, checked on real Postgres (PGlite = Postgres 18): a
 * rewrite is a change of the table's pg_class.relfilenode inside the transaction, the lock is
 * what pg_locks shows for the table. Each case runs `BEGIN; <sql>; ROLLBACK` on the same table,
 * and the lock model (given the facts learnt from SETUP and the case's own earlier statements)
 * must say the same as Postgres about the last statement. PGlite's default TimeZone is UTC:
 * SETUP sets another one, as a server usually has, so timestamp → timestamptz rewrites unless
 * the case sets UTC itself.
 */

const SETUP = `
CREATE TABLE posts (
  id serial PRIMARY KEY,
  title varchar(100),
  body text,
  score numeric(5,2),
  ip cidr,
  published timestamp,
  n int,
  bits bit varying(4)
);
CREATE INDEX posts_title_idx ON posts (title);
INSERT INTO posts (title, body, score, ip, published, n, bits) VALUES ('a', 'b', 1.5, '10.0.0.0/8', '2024-01-01 12:00', 1, B'1');
CREATE FUNCTION plain_fn() RETURNS int LANGUAGE plpgsql AS 'BEGIN RETURN 1; END';
CREATE FUNCTION stable_fn() RETURNS int LANGUAGE plpgsql STABLE AS 'BEGIN RETURN 1; END';
CREATE FUNCTION immutable_fn() RETURNS int LANGUAGE plpgsql IMMUTABLE AS 'BEGIN RETURN 1; END';
`;
/** Exists in Postgres (VOLATILE, CREATE FUNCTION's default) but not in the migrations the model learnt from. */
const UNSEEN = "CREATE FUNCTION unseen_fn() RETURNS int LANGUAGE plpgsql AS 'BEGIN RETURN 1; END'";

let db: PGlite;
let facts: SchemaFacts;

function statementsOf(sql: string) {
  const { statements, errors } = parseSql(new SourceText("case.sql", sql));
  if (errors.length > 0) throw new Error(`not valid SQL: ${sql}`);
  return statements;
}

/** The model's verdict on the last statement of `sql`, after learning SETUP and the statements before it. */
function model(sql: string): StatementLocks {
  const known = SchemaFacts.from(statementsOf(SETUP));
  const statements = statementsOf(sql);
  const last = statements.at(-1);
  if (!last) throw new Error("no statement");
  for (const statement of statements.slice(0, -1)) known.learn(statement);
  return statementLocks(last, known);
}

async function filenode(table: string): Promise<number> {
  const result = await db.query<{ filenode: number }>("SELECT relfilenode::int AS filenode FROM pg_class WHERE relname = $1", [table]);
  return result.rows[0]?.filenode ?? -1;
}

/** Runs `sql` in a transaction that is rolled back: whether `table` got new storage, and its strongest lock. */
async function observe(sql: string, table = "posts"): Promise<{ rewritten: boolean; lock: string | undefined }> {
  await db.exec("BEGIN");
  try {
    const before = await filenode(table);
    await db.exec(sql);
    const rewritten = (await filenode(table)) !== before;
    const locks = await db.query<{ mode: string }>("SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND relation = $1::regclass", [table]);
    const modes = locks.rows.map((r) => r.mode);
    return { rewritten, lock: modes.includes("AccessExclusiveLock") ? "AccessExclusiveLock" : modes[0] };
  } finally {
    await db.exec("ROLLBACK");
  }
}

beforeAll(async () => {
  await loadSqlParser();
  db = await PGlite.create();
  await db.exec(SETUP);
  await db.exec(UNSEEN);
  await db.exec("CREATE ACCESS METHOD heap2 TYPE TABLE HANDLER heap_tableam_handler");
  await db.exec("CREATE TABLESPACE other_space LOCATION '/tmp'");
  await db.exec("SET timezone = 'America/New_York'");
  facts = SchemaFacts.from(statementsOf(SETUP));
}, 60_000);

afterAll(async () => {
  await db.close();
});

describe("ALTER COLUMN … TYPE: rewrite or catalog-only, as the model says", () => {
  const cases: Array<[string, boolean]> = [
    ["ALTER TABLE posts ALTER COLUMN title TYPE text", false],
    ["ALTER TABLE posts ALTER COLUMN title TYPE varchar(200)", false],
    ["ALTER TABLE posts ALTER COLUMN title TYPE varchar", false],
    ["ALTER TABLE posts ALTER COLUMN title TYPE character varying(100)", false],
    ["ALTER TABLE posts ALTER COLUMN title TYPE varchar(50)", true],
    ["ALTER TABLE posts ALTER COLUMN body TYPE varchar", false],
    ["ALTER TABLE posts ALTER COLUMN body TYPE varchar(20)", true],
    ["ALTER TABLE posts ALTER COLUMN n TYPE integer", false],
    ["ALTER TABLE posts ALTER COLUMN id TYPE int", false],
    ["ALTER TABLE posts ALTER COLUMN n TYPE bigint", true],
    ["ALTER TABLE posts ALTER COLUMN score TYPE numeric(8,2)", false],
    ["ALTER TABLE posts ALTER COLUMN score TYPE numeric", false],
    ["ALTER TABLE posts ALTER COLUMN score TYPE numeric(8,3)", true],
    ["ALTER TABLE posts ALTER COLUMN ip TYPE inet", false],
    ["ALTER TABLE posts ALTER COLUMN bits TYPE varbit(8)", false],
    ["ALTER TABLE posts ALTER COLUMN title TYPE varchar(200) USING lower(title)", true],
    ["ALTER TABLE posts ALTER COLUMN published TYPE timestamptz", true],
    ["SET timezone = 'UTC'; ALTER TABLE posts ALTER COLUMN published TYPE timestamptz", false],
    ["SET timezone TO 'UTC'; ALTER TABLE posts ALTER COLUMN published TYPE timestamptz USING published", false],
    ["SET TIME ZONE 'Etc/UTC'; ALTER TABLE posts ALTER COLUMN published TYPE timestamptz", false],
    ["SET LOCAL timezone = 'gmt'; ALTER TABLE posts ALTER COLUMN published TYPE timestamptz", false],
    ["SET timezone = 'UTC'; ALTER TABLE posts ALTER COLUMN published TYPE timestamptz; ALTER TABLE posts ALTER COLUMN published TYPE timestamp", false],
    ["SET timezone = 'Europe/Paris'; ALTER TABLE posts ALTER COLUMN published TYPE timestamptz", true],
    ["SET timezone = 'UTC'; SET timezone = 'Asia/Tokyo'; ALTER TABLE posts ALTER COLUMN published TYPE timestamptz", true],
  ];
  it.each(cases)("%s → rewrites %s, under ACCESS EXCLUSIVE", async (sql, rewrites) => {
    const seen = await observe(sql);
    expect(seen.rewritten).toBe(rewrites);
    expect(seen.lock).toBe("AccessExclusiveLock");
    const verdict = model(sql);
    expect(verdict.rewrites).toBe(rewrites);
    expect(verdict.typeChanges?.at(-1)?.rewrites).toBe(rewrites);
    await db.exec("SET timezone = 'America/New_York'");
  });

  it("knows the old type from the facts (else it assumes a rewrite and says so)", () => {
    expect(statementLocks(statementsOf("ALTER TABLE posts ALTER COLUMN title TYPE text")[0]!, facts).typeChanges?.[0]?.from?.name).toBe("varchar");
    const unknown = statementLocks(statementsOf("ALTER TABLE other ALTER COLUMN title TYPE text")[0]!, facts);
    expect(unknown.rewrites).toBe(true);
    expect(unknown.typeChanges?.[0]?.from).toBeUndefined();
  });
});

describe("ADD COLUMN … DEFAULT f(): a function not known IMMUTABLE or STABLE is VOLATILE", () => {
  const cases: Array<[string, boolean, boolean | undefined]> = [
    // [statement, rewrites, known volatile (undefined: not volatile)]
    ["ALTER TABLE posts ADD COLUMN c int DEFAULT plain_fn()", true, true],
    ["ALTER TABLE posts ADD COLUMN c int DEFAULT plain_fn() + 1", true, true],
    ["ALTER TABLE posts ADD COLUMN c int DEFAULT unseen_fn()", true, false],
    ["ALTER TABLE posts ADD COLUMN c int DEFAULT stable_fn()", false, undefined],
    ["ALTER TABLE posts ADD COLUMN c int DEFAULT immutable_fn()", false, undefined],
    ["ALTER TABLE posts ADD COLUMN c timestamptz DEFAULT now()", false, undefined],
    ["ALTER TABLE posts ADD COLUMN c text DEFAULT lower('X')", false, undefined],
    ["ALTER TABLE posts ADD COLUMN c uuid DEFAULT gen_random_uuid()", true, true],
  ];
  it.each(cases)("%s → rewrites %s", async (sql, rewrites, known) => {
    const seen = await observe(sql);
    expect(seen.rewritten).toBe(rewrites);
    expect(seen.lock).toBe("AccessExclusiveLock");
    const verdict = model(sql);
    expect(verdict.rewrites).toBe(rewrites);
    expect(verdict.volatileDefaults?.[0]?.known).toBe(known);
  });

  it("learns ALTER FUNCTION … STABLE and DROP FUNCTION", () => {
    expect(model("ALTER FUNCTION plain_fn() STABLE; ALTER TABLE posts ADD COLUMN c int DEFAULT plain_fn()").rewrites).toBe(false);
    expect(model("DROP FUNCTION stable_fn(); ALTER TABLE posts ADD COLUMN c int DEFAULT stable_fn()").volatileDefaults?.[0]).toEqual({
      column: "c",
      fn: "stable_fn",
      known: false,
    });
  });

  it("lists as non-volatile only built-ins that are IMMUTABLE or STABLE in every overload, and as volatile only VOLATILE ones", async () => {
    const rows = await db.query<{ proname: string; volatilities: string }>(
      "SELECT proname, string_agg(DISTINCT provolatile::text, '') AS volatilities FROM pg_proc WHERE pronamespace = 'pg_catalog'::regnamespace GROUP BY proname",
    );
    const builtIn = new Map(rows.rows.map((r) => [r.proname, r.volatilities]));
    for (const name of NON_VOLATILE_FUNCTIONS) expect([name, builtIn.get(name)?.includes("v")]).toEqual([name, false]);
    // uuid-ossp's generators are not in pg_catalog; every other one is, and VOLATILE.
    for (const name of [...VOLATILE_FUNCTIONS].filter((n) => !n.startsWith("uuid_generate"))) expect([name, builtIn.get(name)]).toEqual([name, "v"]);
  });
});

describe("SET LOGGED / UNLOGGED / ACCESS METHOD / TABLESPACE", () => {
  const cases: Array<[string, boolean]> = [
    ["ALTER TABLE posts SET UNLOGGED", true],
    ["ALTER TABLE posts SET UNLOGGED; ALTER TABLE posts SET LOGGED", true],
    ["ALTER TABLE posts SET ACCESS METHOD heap2", true],
    ["ALTER TABLE posts SET TABLESPACE other_space", true],
    // No-ops: the table is already logged, in heap, in pg_default.
    ["ALTER TABLE posts SET LOGGED", false],
    ["ALTER TABLE posts SET ACCESS METHOD heap", false],
    ["ALTER TABLE posts SET TABLESPACE pg_default", false],
  ];
  it.each(cases)("%s → new storage %s, under ACCESS EXCLUSIVE", async (sql, rewrites) => {
    const seen = await observe(sql);
    expect(seen.rewritten).toBe(rewrites);
    expect(seen.lock).toBe("AccessExclusiveLock");
    // The model cannot see the table's current storage: it always says rewrite.
    expect(model(sql).rewrites).toBe(true);
  });

  it("SET LOGGED rewrites an unlogged table", async () => {
    await db.exec("CREATE UNLOGGED TABLE events (id int); INSERT INTO events VALUES (1)");
    const seen = await observe("ALTER TABLE events SET LOGGED", "events");
    expect(seen).toEqual({ rewritten: true, lock: "AccessExclusiveLock" });
  });
});

describe("work under a held ACCESS EXCLUSIVE lock", () => {
  async function scansOf(sql: string): Promise<number> {
    await db.exec("BEGIN");
    try {
      await db.exec("ALTER TABLE posts RENAME COLUMN n TO m");
      const before = await db.query<{ scans: number }>("SELECT pg_stat_get_xact_numscans('posts'::regclass)::int AS scans");
      await db.exec(sql);
      const after = await db.query<{ scans: number }>("SELECT pg_stat_get_xact_numscans('posts'::regclass)::int AS scans");
      return (after.rows[0]?.scans ?? 0) - (before.rows[0]?.scans ?? 0);
    } finally {
      await db.exec("ROLLBACK");
    }
  }

  it("SELECT count(*) reads the locked table; INSERT … VALUES does not", async () => {
    expect(await scansOf("SELECT count(*) FROM posts")).toBeGreaterThan(0);
    expect(await scansOf("INSERT INTO posts (title) VALUES ('x'), ('y')")).toBe(0);
  });
});

describe("ADD COLUMN … NOT NULL without a default", () => {
  async function addRequired(before: string): Promise<string> {
    await db.exec("BEGIN");
    try {
      await db.exec(before);
      await db.exec("ALTER TABLE posts ADD COLUMN required text NOT NULL");
      return "ok";
    } catch (error) {
      return (error as { code?: string }).code ?? "error";
    } finally {
      await db.exec("ROLLBACK");
    }
  }

  it("succeeds on a table just emptied by DELETE without WHERE or TRUNCATE, fails (23502) when a row is left", async () => {
    expect(await addRequired("DELETE FROM posts")).toBe("ok");
    expect(await addRequired("TRUNCATE posts")).toBe("ok");
    expect(await addRequired("DELETE FROM posts WHERE id < 0")).toBe("23502");
    expect(await addRequired("TRUNCATE posts; INSERT INTO posts (title) VALUES ('x')")).toBe("23502");
  });
});
