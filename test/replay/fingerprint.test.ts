import { PGlite } from "@electric-sql/pglite";
import { citext } from "@electric-sql/pglite/contrib/citext";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ReplayEngine, Row } from "../../src/replay/engine.js";
import { fingerprint, type FingerprintEntry, type FingerprintKind, type SchemaFingerprint } from "../../src/replay/fingerprint.js";
import { diffFingerprints } from "../../src/replay/schema-diff.js";

/**
 * The schema fingerprint against real Postgres (PGlite), and the wording of its differences.
 * Each case plays a migration's "up then a faulty down" as one change to a base schema, and checks
 * that exactly that change is reported, in words.
 */

type Db = Pick<ReplayEngine, "exec" | "query">;

function engineOf(pglite: PGlite): Db {
  return {
    exec: async (sql) => {
      await pglite.exec(sql);
    },
    query: async (sql, params) => (await pglite.query<Row>(sql, params ? [...params] : undefined)).rows,
  };
}

const BASE_SCHEMA = `
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped');
CREATE DOMAIN positive_int AS integer CONSTRAINT positive CHECK (VALUE > 0);
CREATE TYPE address AS (street text, city text);
CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL UNIQUE,
  bio text,
  age integer
);
CREATE TABLE orders (
  id serial PRIMARY KEY,
  user_id bigint REFERENCES users (id),
  quantity integer NOT NULL DEFAULT 1,
  note varchar(100),
  status order_status NOT NULL DEFAULT 'pending',
  created_at timestamptz DEFAULT now()
);
ALTER TABLE orders ADD CONSTRAINT orders_note_len CHECK (char_length(note) < 40) NOT VALID;
CREATE INDEX orders_created_idx ON orders (created_at);
CREATE VIEW order_counts AS SELECT user_id, count(*) AS n FROM orders GROUP BY user_id;
CREATE SEQUENCE invoice_no START 1000;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.created_at := now(); RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_orders ON orders FOR SELECT USING (user_id = 1);
COMMENT ON TABLE orders IS 'one row per order';
COMMENT ON COLUMN orders.note IS 'free text from the customer';
SELECT nextval('invoice_no');
`;

describe("schema fingerprint (PGlite)", () => {
  let pglite: PGlite;
  let db: Db;
  let base: SchemaFingerprint;

  beforeAll(async () => {
    pglite = await PGlite.create({ extensions: { citext } });
    db = engineOf(pglite);
  }, 120_000);

  afterAll(async () => {
    await pglite?.close();
  }, 60_000);

  beforeEach(async () => {
    await db.exec(`RESET search_path; DROP EXTENSION IF EXISTS citext; DROP SCHEMA IF EXISTS other CASCADE;
      DROP SCHEMA public CASCADE; CREATE SCHEMA public; ${BASE_SCHEMA}`);
    base = await fingerprint(db);
  });

  /** The differences between the base schema and the schema after `sql`. */
  const differencesAfter = async (sql: string): Promise<string[]> => {
    await db.exec(sql);
    return diffFingerprints(base, await fingerprint(db)).map((d) => d.message);
  };

  const definitionOf = (fp: SchemaFingerprint, kind: FingerprintKind, object: string): string | undefined =>
    fp.entries.find((e) => e.kind === kind && e.object === object)?.definition;

  it("reads the objects of the schema as stable text", () => {
    const expected: FingerprintEntry[] = [
      { kind: "schema", object: "public", definition: "" },
      { kind: "enum", object: "public.order_status", definition: '["pending", "paid", "shipped"]' },
      { kind: "domain", object: "public.positive_int", definition: "integer CONSTRAINT positive CHECK ((VALUE > 0))" },
      { kind: "type", object: "public.address", definition: "(street text, city text)" },
      { kind: "table", object: "public.orders", definition: "logged, row security enabled" },
      { kind: "column order", object: "public.users", definition: '["id", "email", "bio", "age"]' },
      { kind: "column", object: "public.users.id", definition: "bigint NOT NULL GENERATED ALWAYS AS IDENTITY" },
      { kind: "column", object: "public.orders.quantity", definition: "integer NOT NULL DEFAULT 1" },
      { kind: "column", object: "public.orders.status", definition: "public.order_status NOT NULL DEFAULT 'pending'::public.order_status" },
      { kind: "constraint", object: "public.orders.orders_note_len", definition: "CHECK ((char_length((note)::text) < 40)) NOT VALID" },
      { kind: "constraint", object: "public.orders.orders_user_id_fkey", definition: "FOREIGN KEY (user_id) REFERENCES public.users(id)" },
      { kind: "index", object: "public.orders_created_idx", definition: "CREATE INDEX orders_created_idx ON public.orders USING btree (created_at)" },
      {
        kind: "trigger",
        object: "public.orders.orders_touch",
        definition: "CREATE TRIGGER orders_touch BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch()",
      },
      { kind: "policy", object: "public.orders.own_orders", definition: "AS PERMISSIVE FOR SELECT TO PUBLIC USING ((user_id = 1))" },
      {
        kind: "sequence",
        object: "public.invoice_no",
        definition: "AS bigint INCREMENT 1 MINVALUE 1 MAXVALUE 9223372036854775807 START 1000 CACHE 1 NO CYCLE",
      },
      {
        kind: "sequence",
        object: "public.orders_id_seq",
        definition: "AS integer INCREMENT 1 MINVALUE 1 MAXVALUE 2147483647 START 1 CACHE 1 NO CYCLE OWNED BY public.orders.id",
      },
      { kind: "comment", object: "table public.orders", definition: "one row per order" },
      { kind: "comment", object: "column public.orders.note", definition: "free text from the customer" },
      { kind: "extension", object: "plpgsql", definition: "version 1.0, schema pg_catalog" },
    ];
    for (const entry of expected) expect(base.entries).toContainEqual(entry);
    expect(definitionOf(base, "view", "public.order_counts")?.replace(/\s+/g, " ").trim()).toBe(
      "SELECT user_id, count(*) AS n FROM public.orders GROUP BY user_id",
    );
    expect(definitionOf(base, "function", "public.touch()")).toContain("NEW.created_at := now()");
    const keys = base.entries.map((e) => `${e.kind} ${e.object}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("is identical for two readings of the same schema", async () => {
    const again = await fingerprint(db);
    expect(again).toEqual(base);
    expect(diffFingerprints(base, again)).toEqual([]);
  });

  it("is identical after creating and dropping an unrelated table, or an index", async () => {
    expect(await differencesAfter("CREATE TABLE scratch (id int PRIMARY KEY, v text); INSERT INTO scratch VALUES (1, 'x'); DROP TABLE scratch")).toEqual([]);
    expect(await differencesAfter("CREATE INDEX orders_quantity_idx ON orders (quantity); DROP INDEX orders_quantity_idx")).toEqual([]);
    expect(await fingerprint(db)).toEqual(base);
  });

  it("does not depend on the session's search_path, and leaves it as it was", async () => {
    await db.exec("CREATE SCHEMA other; DROP SCHEMA other; SET search_path = pg_catalog, public");
    expect(await fingerprint(db)).toEqual(base);
    expect(await db.query("SHOW search_path")).toEqual([{ search_path: "pg_catalog, public" }]);
  });

  it("shows an extension as one entry, without its types and functions", async () => {
    expect(await differencesAfter("CREATE EXTENSION citext")).toEqual([
      "extension citext: did not exist before up, exists after down (version 1.8, schema public)",
    ]);
    const objects = (await fingerprint(db)).entries.map((e) => e.object);
    expect(objects.filter((o) => o.includes("citext"))).toEqual(["citext"]);
  });

  it("reports a column type the down did not change back", async () => {
    expect(await differencesAfter("ALTER TABLE orders ALTER COLUMN quantity TYPE bigint")).toEqual([
      "column public.orders.quantity: integer NOT NULL DEFAULT 1 before up, bigint NOT NULL DEFAULT 1 after down",
    ]);
  });

  it("reports an enum value that was added (and cannot be dropped)", async () => {
    expect(await differencesAfter("ALTER TYPE order_status ADD VALUE 'refunded'")).toEqual([
      'enum public.order_status: after down it has the value "refunded" it did not have before up (Postgres cannot drop an enum value)',
    ]);
  });

  it("reports a dropped column re-added at the end as one column-order difference", async () => {
    expect(await differencesAfter("ALTER TABLE users DROP COLUMN bio; ALTER TABLE users ADD COLUMN bio text")).toEqual([
      "table public.users: column order id, email, bio, age before up; id, email, age, bio after down (re-adding a dropped column puts it last)",
    ]);
  });

  it("reports a NOT VALID constraint that was validated", async () => {
    expect(await differencesAfter("ALTER TABLE orders VALIDATE CONSTRAINT orders_note_len")).toEqual([
      "constraint public.orders.orders_note_len: is validated after down and was NOT VALID before up (VALIDATE CONSTRAINT is not undone)",
    ]);
  });

  it("reports a dropped index", async () => {
    expect(await differencesAfter("DROP INDEX orders_created_idx")).toEqual([
      "index public.orders_created_idx: existed before up (CREATE INDEX orders_created_idx ON public.orders USING btree (created_at)), missing after down",
    ]);
  });

  it("reports a changed default", async () => {
    expect(await differencesAfter("ALTER TABLE orders ALTER COLUMN quantity SET DEFAULT 2")).toEqual([
      "column public.orders.quantity: integer NOT NULL DEFAULT 1 before up, integer NOT NULL DEFAULT 2 after down",
    ]);
  });

  it("reports a redefined view", async () => {
    const differences = await differencesAfter(
      "CREATE OR REPLACE VIEW order_counts AS SELECT user_id, count(*) AS n FROM orders WHERE quantity > 1 GROUP BY user_id",
    );
    expect(differences).toEqual([
      "view public.order_counts: definition changed; before up: SELECT user_id, count(*) AS n FROM public.orders GROUP BY user_id; " +
        "after down: SELECT user_id, count(*) AS n FROM public.orders WHERE (quantity > 1) GROUP BY user_id",
    ]);
  });

  it("reports a dropped column once, with no column-order difference", async () => {
    expect(await differencesAfter("ALTER TABLE users DROP COLUMN age")).toEqual(["column public.users.age: existed before up (integer), missing after down"]);
  });

  it("reports a table the down forgot to drop once, not its columns and constraints", async () => {
    expect(
      await differencesAfter("CREATE TABLE audit (id int CONSTRAINT audit_id_check CHECK (id > 0), at timestamptz); COMMENT ON COLUMN audit.at IS 'when'"),
    ).toEqual(["table public.audit: did not exist before up, exists after down"]);
  });

  // One change per object kind: each must show up as a difference of that kind and object.
  const changes: { sql: string; kind: FingerprintKind; object: string }[] = [
    { sql: "CREATE SCHEMA other", kind: "schema", object: "other" },
    { sql: "ALTER DOMAIN positive_int ADD CONSTRAINT small CHECK (VALUE < 100)", kind: "domain", object: "public.positive_int" },
    { sql: "ALTER TYPE address ADD ATTRIBUTE zip text", kind: "type", object: "public.address" },
    { sql: "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$", kind: "function", object: "public.touch()" },
    { sql: "ALTER TABLE orders DISABLE ROW LEVEL SECURITY", kind: "table", object: "public.orders" },
    { sql: "ALTER TABLE orders SET (fillfactor = 70)", kind: "table", object: "public.orders" },
    { sql: "ALTER TABLE users ALTER COLUMN bio SET NOT NULL", kind: "column", object: "public.users.bio" },
    { sql: 'ALTER TABLE users ALTER COLUMN bio TYPE text COLLATE "C"', kind: "column", object: "public.users.bio" },
    { sql: "ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age > 0)", kind: "constraint", object: "public.users.users_age_check" },
    { sql: "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey", kind: "constraint", object: "public.orders.orders_user_id_fkey" },
    { sql: "ALTER TABLE orders DISABLE TRIGGER orders_touch", kind: "trigger", object: "public.orders.orders_touch" },
    { sql: "ALTER POLICY own_orders ON orders USING (user_id = 2)", kind: "policy", object: "public.orders.own_orders" },
    { sql: "ALTER SEQUENCE invoice_no INCREMENT 10", kind: "sequence", object: "public.invoice_no" },
    { sql: "GRANT SELECT ON orders TO PUBLIC", kind: "privileges", object: "table public.orders" },
    { sql: "COMMENT ON COLUMN orders.note IS 'customer note'", kind: "comment", object: "column public.orders.note" },
    { sql: "CREATE MATERIALIZED VIEW order_totals AS SELECT count(*) AS n FROM orders", kind: "materialized view", object: "public.order_totals" },
  ];
  for (const change of changes) {
    it(`sees ${change.sql}`, async () => {
      await db.exec(change.sql);
      const differences = diffFingerprints(base, await fingerprint(db));
      expect(differences.map((d) => `${d.kind} ${d.object}`)).toContain(`${change.kind} ${change.object}`);
    });
  }

  it("ignores what only data does: rows, sequence values, statistics", async () => {
    expect(await differencesAfter("INSERT INTO users (email) VALUES ('a@example.com'); SELECT nextval('invoice_no'); ANALYZE users")).toEqual([]);
  });

  it("is plain data: a structured clone and a JSON round trip compare equal", () => {
    const cloned = structuredClone(base);
    const parsed = JSON.parse(JSON.stringify(base)) as SchemaFingerprint;
    expect(cloned).toEqual(base);
    expect(parsed).toEqual(base);
    expect(diffFingerprints(base, parsed)).toEqual([]);
  });
});

describe("diffFingerprints wording", () => {
  const fp = (...entries: FingerprintEntry[]): SchemaFingerprint => ({ entries });

  it("orders differences by kind, then object, whatever the input order", () => {
    const before = fp({ kind: "index", object: "public.b_idx", definition: "B" }, { kind: "enum", object: "public.e", definition: '["a"]' });
    const after = fp({ kind: "column", object: "public.t.z", definition: "integer" });
    expect(diffFingerprints(before, after).map((d) => `${d.change} ${d.kind} ${d.object}`)).toEqual([
      "missing enum public.e",
      "extra column public.t.z",
      "missing index public.b_idx",
    ]);
  });

  it("says when enum values were reordered or removed, without the ADD VALUE hint", () => {
    const differences = diffFingerprints(
      fp({ kind: "enum", object: "public.e", definition: '["a", "b"]' }),
      fp({ kind: "enum", object: "public.e", definition: '["b", "a"]' }),
    );
    expect(differences.map((d) => d.message)).toEqual(["enum public.e: values a, b before up; b, a after down"]);
  });

  it("reports a constraint that became NOT VALID, and a changed comment", () => {
    const before = fp(
      { kind: "constraint", object: "public.t.c", definition: "CHECK ((x > 0))" },
      { kind: "comment", object: "table public.t", definition: "old" },
    );
    const after = fp(
      { kind: "constraint", object: "public.t.c", definition: "CHECK ((x > 0)) NOT VALID" },
      { kind: "comment", object: "table public.t", definition: "new" },
    );
    expect(diffFingerprints(before, after).map((d) => d.message)).toEqual([
      "constraint public.t.c: is NOT VALID after down and was validated before up",
      'comment on table public.t: "old" before up, "new" after down',
    ]);
  });

  it("leaves long definitions to before/after, and names the moments it is given", () => {
    const long = (body: string): string => `CREATE OR REPLACE FUNCTION public.f()\n RETURNS integer\nAS $$ ${body} $$`;
    const [difference] = diffFingerprints(
      fp({ kind: "function", object: "public.f()", definition: long("x".repeat(300)) }),
      fp({ kind: "function", object: "public.f()", definition: long("y".repeat(300)) }),
      { before: "on main", after: "on the branch" },
    );
    expect(difference).toEqual({
      kind: "function",
      object: "public.f()",
      change: "changed",
      before: long("x".repeat(300)),
      after: long("y".repeat(300)),
      message: "function public.f(): definition changed between on main and on the branch",
    });
  });

  it("gives a column order difference only when shared columns moved", () => {
    const order = (...columns: string[]): FingerprintEntry => ({ kind: "column order", object: "public.t", definition: JSON.stringify(columns) });
    expect(diffFingerprints(fp(order("a", "b", "c")), fp(order("a", "c")))).toEqual([]);
    expect(diffFingerprints(fp(order("a", "b", "c")), fp(order("b", "a", "c"))).map((d) => d.message)).toEqual([
      "table public.t: column order a, b, c before up; b, a, c after down",
    ]);
  });
});
