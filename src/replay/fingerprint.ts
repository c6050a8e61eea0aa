/**
 * The schema fingerprint: every user object of the database as one line of stable text, keyed by
 * kind and qualified name, read from the catalogs. Taken before a migration's up and again after
 * its down, two fingerprints that differ show what the down failed to undo (schema-diff.ts says
 * how, in words).
 *
 * What counts as a user object: everything outside pg_catalog, information_schema, pg_toast* and
 * temporary schemas (every schema whose name starts with "pg_"), except objects that belong to an
 * extension (pg_depend deptype 'e'): an extension shows as one entry, with its version.
 *
 * What is left out on purpose: data (a down that loses rows passes), sequence values, OIDs,
 * owners, column privileges, statistics gathered by ANALYZE. Names are not normalised: a
 * constraint re-created under another name is a difference, which is usually what a reviewer
 * wants to know.
 *
 * The text is rendered with `search_path = pg_catalog`, so every name outside pg_catalog comes out
 * schema-qualified whatever the migration did to the session's search_path; the caller's value is
 * restored afterwards. The queries run on PostgreSQL 15 and later, and on PGlite (18).
 */

/** The kinds of entries, in the order a report lists them. */
export const FINGERPRINT_KINDS = [
  "schema",
  "extension",
  "enum",
  "domain",
  "type",
  "range type",
  "function",
  "procedure",
  "aggregate",
  "table",
  "partitioned table",
  "foreign table",
  "column order",
  "column",
  "constraint",
  "index",
  "trigger",
  "rule",
  "policy",
  "statistics",
  "view",
  "materialized view",
  "sequence",
  "privileges",
  "default privileges",
  "comment",
] as const;

export type FingerprintKind = (typeof FINGERPRINT_KINDS)[number];

/**
 * One object. `object` is its qualified name with identifiers quoted as Postgres quotes them
 * (`public.orders`, `public.orders.quantity`, `public.total(integer)`); for comments and
 * privileges it names the object they are on (`table public.orders`, `column public.orders.note`).
 * `definition` is the stable text compared between fingerprints. For "enum" (its labels) and
 * "column order" (the column names) it is a JSON array of strings.
 */
export interface FingerprintEntry {
  kind: FingerprintKind;
  object: string;
  definition: string;
}

/** Plain data (structured-clone and JSON safe), so it can cross a worker boundary. Entries are sorted by kind, then object. */
export interface SchemaFingerprint {
  entries: FingerprintEntry[];
}

/** How a reviewer reads an entry's name: `column public.orders.quantity`, `comment on table public.orders`. */
export function entryLabel(kind: FingerprintKind, object: string): string {
  if (kind === "comment") return `comment on ${object}`;
  if (kind === "privileges") return `privileges on ${object}`;
  if (kind === "default privileges") return `default privileges ${object}`;
  if (kind === "column order") return `table ${object}`;
  return `${kind} ${object}`;
}

/**
 * Reads the fingerprint of the database `db` is connected to: one catalog query (three round trips
 * with the search_path pinning), no DDL, no locks on user tables. Works inside or outside a
 * transaction; in an aborted transaction it throws like any query.
 */
/** What the fingerprint needs of an engine (a ReplayEngine's `query`, declared here so the engine's module may name SchemaFingerprint). */
export interface CatalogQuery {
  query(sql: string, params?: readonly unknown[]): Promise<Array<Record<string, unknown>>>;
}

export async function fingerprint(db: CatalogQuery): Promise<SchemaFingerprint> {
  const saved = asText((await db.query("SELECT current_setting('search_path') AS path"))[0]?.path);
  const restore = (): Promise<unknown> => db.query("SELECT set_config('search_path', $1, false)", [saved]);
  await db.query("SELECT set_config('search_path', 'pg_catalog', false)");
  let rows;
  try {
    rows = await db.query(CATALOG_SQL);
  } catch (error) {
    // In an aborted transaction the restore fails too: the catalog query's error is the one to see.
    await restore().catch(() => undefined);
    throw error;
  }
  await restore();
  return { entries: sortAndMerge(rows.map(toEntry)) };
}

const KIND_RANK = new Map<string, number>(FINGERPRINT_KINDS.map((kind, index) => [kind, index]));

export function compareEntries(a: { kind: FingerprintKind; object: string }, b: { kind: FingerprintKind; object: string }): number {
  const byKind = (KIND_RANK.get(a.kind) ?? 0) - (KIND_RANK.get(b.kind) ?? 0);
  if (byKind !== 0) return byKind;
  return a.object < b.object ? -1 : a.object > b.object ? 1 : 0;
}

function toEntry(row: Record<string, unknown>): FingerprintEntry {
  const kind = asText(row.kind);
  if (!KIND_RANK.has(kind)) throw new Error(`fingerprint: unexpected kind ${kind}`);
  return { kind: kind as FingerprintKind, object: asText(row.object), definition: asText(row.definition) };
}

/** Every column the queries return is text (or NULL, read as ""). */
function asText(value: unknown): string {
  if (value == null) return "";
  if (typeof value === "string") return value;
  throw new Error(`fingerprint: expected text from the catalog, got ${typeof value}`);
}

/** Sorts, and folds entries with the same key into one (their definitions sorted), so the result never depends on catalog row order. */
function sortAndMerge(entries: FingerprintEntry[]): FingerprintEntry[] {
  const byKey = new Map<string, FingerprintEntry[]>();
  for (const entry of entries) {
    const key = `${entry.kind}\u0000${entry.object}`;
    const list = byKey.get(key);
    if (list) list.push(entry);
    else byKey.set(key, [entry]);
  }
  const merged = [...byKey.values()].map((list): FingerprintEntry => {
    const first = list[0] as FingerprintEntry;
    if (list.length === 1) return first;
    const definitions = list.map((e) => e.definition).sort();
    return { kind: first.kind, object: first.object, definition: definitions.join("\n") };
  });
  return merged.sort(compareEntries);
}

// ---- catalog queries: each returns (kind, object, definition) as text ----

/** A namespace that holds user objects: not pg_catalog, information_schema, pg_toast*, pg_temp_*. */
const userNamespace = (alias: string): string => `${alias}.nspname <> 'information_schema' AND ${alias}.nspname !~ '^pg_'`;

/** The object is not a member of an extension. */
const notInExtension = (catalog: string, oid: string): string =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;

const qualified = (namespace: string, name: string): string => `quote_ident(${namespace}.nspname) || '.' || quote_ident(${name})`;

/** The relations whose columns, constraints, triggers and policies are fingerprinted. */
const USER_TABLE = `c.relkind IN ('r', 'p', 'f') AND ${userNamespace("n")} AND ${notInExtension("pg_class", "c.oid")}`;

/** A constraint definition with the NOT VALID marker from convalidated (pg_get_constraintdef prints it for some kinds only). */
const constraintText = (alias: string): string =>
  `regexp_replace(pg_get_constraintdef(${alias}.oid), ' NOT VALID$', '') || CASE WHEN ${alias}.convalidated THEN '' ELSE ' NOT VALID' END`;

/** An ACL as sorted text, or NULL when it grants exactly the default for that owner. */
const nonDefaultAcl = (acl: string, type: string, owner: string): string => `
  CASE WHEN ${acl} IS NOT NULL
        AND ARRAY(SELECT x::text FROM unnest(${acl}) x ORDER BY 1) <> ARRAY(SELECT x::text FROM unnest(acldefault(${type}, ${owner})) x ORDER BY 1)
       THEN array_to_string(ARRAY(SELECT x::text FROM unnest(${acl}) x ORDER BY 1), ' ') END`;

const RELATION_KIND_NAME = `CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'f' THEN 'foreign table'
  WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' END`;

const SCHEMAS = `
SELECT 'schema' AS kind, quote_ident(n.nspname) AS object, '' AS definition
FROM pg_namespace n
WHERE ${userNamespace("n")} AND ${notInExtension("pg_namespace", "n.oid")}`;

const EXTENSIONS = `
SELECT 'extension' AS kind, quote_ident(x.extname) AS object,
       'version ' || x.extversion || ', schema ' || quote_ident(n.nspname) AS definition
FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace`;

const TABLES = `
SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' ELSE 'foreign table' END AS kind,
       ${qualified("n", "c.relname")} AS object,
       concat_ws(', ',
         CASE c.relpersistence WHEN 'u' THEN 'unlogged' ELSE 'logged' END,
         CASE WHEN c.relrowsecurity AND c.relforcerowsecurity THEN 'row security enabled and forced'
              WHEN c.relrowsecurity THEN 'row security enabled'
              WHEN c.relforcerowsecurity THEN 'row security forced (not enabled)' END,
         CASE WHEN c.relkind = 'p' THEN 'PARTITION BY ' || pg_get_partkeydef(c.oid) END,
         (SELECT CASE WHEN c.relispartition THEN 'PARTITION OF ' ELSE 'INHERITS ' END
                 || string_agg(${qualified("pn", "p.relname")}, ', ' ORDER BY i.inhseqno)
          FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
          WHERE i.inhrelid = c.oid),
         CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,
         CASE WHEN c.reloptions IS NOT NULL THEN 'WITH (' || array_to_string(ARRAY(SELECT o FROM unnest(c.reloptions) o ORDER BY 1), ', ') || ')' END,
         CASE c.relreplident WHEN 'n' THEN 'REPLICA IDENTITY NOTHING' WHEN 'f' THEN 'REPLICA IDENTITY FULL'
              WHEN 'i' THEN 'REPLICA IDENTITY USING INDEX ' || (SELECT quote_ident(ic.relname) FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid
                                                                WHERE x.indrelid = c.oid AND x.indisreplident) END,
         CASE WHEN am.amname <> 'heap' THEN 'USING ' || am.amname END,
         CASE WHEN c.reltablespace <> 0 THEN 'TABLESPACE ' || (SELECT quote_ident(s.spcname) FROM pg_tablespace s WHERE s.oid = c.reltablespace) END
       ) AS definition
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_am am ON am.oid = c.relam
WHERE ${USER_TABLE}`;

const COLUMN_ORDER = `
SELECT 'column order' AS kind, ${qualified("n", "c.relname")} AS object,
       coalesce((SELECT json_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
                 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)::text, '[]') AS definition
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${USER_TABLE}`;

const COLUMNS = `
SELECT 'column' AS kind, ${qualified("n", "c.relname")} || '.' || quote_ident(a.attname) AS object,
       concat_ws(' ',
         format_type(a.atttypid, a.atttypmod),
         CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN 'COLLATE ' || a.attcollation::regcollation::text END,
         CASE WHEN a.attnotnull THEN 'NOT NULL' END,
         CASE WHEN EXISTS (SELECT 1 FROM pg_constraint nn WHERE nn.conrelid = c.oid AND nn.contype = 'n'
                                                     AND nn.conkey[1] = a.attnum AND NOT nn.convalidated) THEN 'NOT VALID' END,
         CASE a.attidentity WHEN 'a' THEN 'GENERATED ALWAYS AS IDENTITY' WHEN 'd' THEN 'GENERATED BY DEFAULT AS IDENTITY' END,
         CASE WHEN a.attgenerated IN ('s', 'v')
              THEN 'GENERATED ALWAYS AS (' || pg_get_expr(ad.adbin, ad.adrelid) || ')' || CASE a.attgenerated WHEN 's' THEN ' STORED' ELSE ' VIRTUAL' END
              WHEN ad.adbin IS NOT NULL THEN 'DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid) END,
         CASE WHEN a.attstorage <> t.typstorage
              THEN 'STORAGE ' || CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END END,
         CASE a.attcompression WHEN 'p' THEN 'COMPRESSION pglz' WHEN 'l' THEN 'COMPRESSION lz4' END,
         CASE WHEN a.attstattarget >= 0 THEN 'STATISTICS ' || a.attstattarget END
       ) AS definition
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND ${USER_TABLE}`;

// NOT NULL constraints (contype 'n', Postgres 18) are part of their column; constraint triggers are triggers.
// A foreign key to a partitioned table has internal copies on the same table, with the same name: only the parent counts.
const CONSTRAINTS = `
SELECT 'constraint' AS kind, ${qualified("n", "c.relname")} || '.' || quote_ident(con.conname) AS object,
       ${constraintText("con")} AS definition
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE con.contype NOT IN ('n', 't') AND ${USER_TABLE}
  AND NOT EXISTS (SELECT 1 FROM pg_constraint parent WHERE parent.oid = con.conparentid AND parent.conrelid = con.conrelid)`;

const INDEXES = `
SELECT 'index' AS kind, ${qualified("n", "ic.relname")} AS object,
       pg_get_indexdef(x.indexrelid)
         || CASE WHEN x.indisvalid THEN '' ELSE ' INVALID' END
         || CASE WHEN x.indisclustered THEN ' CLUSTERED' ELSE '' END AS definition
FROM pg_index x
JOIN pg_class ic ON ic.oid = x.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
JOIN pg_class c ON c.oid = x.indrelid
WHERE ${userNamespace("n")} AND ${notInExtension("pg_class", "c.oid")}`;

const TRIGGERS = `
SELECT 'trigger' AS kind, ${qualified("n", "c.relname")} || '.' || quote_ident(tg.tgname) AS object,
       pg_get_triggerdef(tg.oid)
         || CASE tg.tgenabled WHEN 'D' THEN ' (disabled)' WHEN 'R' THEN ' (enabled on replicas only)' WHEN 'A' THEN ' (enabled always)' ELSE '' END AS definition
FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT tg.tgisinternal AND ${userNamespace("n")} AND ${notInExtension("pg_class", "c.oid")}`;

const RULES = `
SELECT 'rule' AS kind, ${qualified("n", "c.relname")} || '.' || quote_ident(r.rulename) AS object,
       pg_get_ruledef(r.oid) || CASE r.ev_enabled WHEN 'D' THEN ' (disabled)' WHEN 'R' THEN ' (enabled on replicas only)' WHEN 'A' THEN ' (enabled always)' ELSE '' END AS definition
FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE r.rulename <> '_RETURN' AND ${userNamespace("n")} AND ${notInExtension("pg_class", "c.oid")}`;

const POLICIES = `
SELECT 'policy' AS kind, ${qualified("n", "c.relname")} || '.' || quote_ident(p.polname) AS object,
       concat_ws(' ',
         CASE WHEN p.polpermissive THEN 'AS PERMISSIVE' ELSE 'AS RESTRICTIVE' END,
         'FOR ' || CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
         'TO ' || array_to_string(ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END
                                         FROM unnest(p.polroles) r ORDER BY 1), ', '),
         'USING (' || pg_get_expr(p.polqual, p.polrelid) || ')',
         'WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')'
       ) AS definition
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${userNamespace("n")} AND ${notInExtension("pg_class", "c.oid")}`;

const STATISTICS = `
SELECT 'statistics' AS kind, ${qualified("n", "s.stxname")} AS object,
       pg_get_statisticsobjdef(s.oid) || CASE WHEN s.stxstattarget >= 0 THEN ' STATISTICS ' || s.stxstattarget ELSE '' END AS definition
FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
WHERE ${userNamespace("n")} AND ${notInExtension("pg_statistic_ext", "s.oid")}`;

const VIEWS = `
SELECT CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END AS kind, ${qualified("n", "c.relname")} AS object,
       concat_ws(' ',
         CASE WHEN c.reloptions IS NOT NULL THEN 'WITH (' || array_to_string(ARRAY(SELECT o FROM unnest(c.reloptions) o ORDER BY 1), ', ') || ')' END,
         regexp_replace(pg_get_viewdef(c.oid), ';[[:space:]]*$', ''),
         CASE WHEN c.relkind = 'm' AND NOT c.relispopulated THEN 'WITH NO DATA' END
       ) AS definition
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND ${userNamespace("n")} AND ${notInExtension("pg_class", "c.oid")}`;

// Parameters only: last_value and is_called change with every nextval().
const SEQUENCES = `
SELECT 'sequence' AS kind, ${qualified("n", "c.relname")} AS object,
       concat_ws(' ',
         'AS ' || format_type(s.seqtypid, NULL),
         'INCREMENT ' || s.seqincrement, 'MINVALUE ' || s.seqmin, 'MAXVALUE ' || s.seqmax,
         'START ' || s.seqstart, 'CACHE ' || s.seqcache,
         CASE WHEN s.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END,
         CASE WHEN c.relpersistence = 'u' THEN 'UNLOGGED' END,
         (SELECT 'OWNED BY ' || ${qualified("tn", "t.relname")} || '.' || quote_ident(a.attname)
          FROM pg_depend d
          JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace
          JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
            AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
          LIMIT 1)
       ) AS definition
FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${userNamespace("n")} AND ${notInExtension("pg_class", "c.oid")}`;

const USER_TYPE = `${userNamespace("n")} AND ${notInExtension("pg_type", "t.oid")}`;

const ENUMS = `
SELECT 'enum' AS kind, ${qualified("n", "t.typname")} AS object,
       coalesce((SELECT json_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)::text, '[]') AS definition
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e' AND ${USER_TYPE}`;

const DOMAINS = `
SELECT 'domain' AS kind, ${qualified("n", "t.typname")} AS object,
       concat_ws(' ',
         format_type(t.typbasetype, t.typtypmod),
         CASE WHEN t.typcollation <> 0 AND t.typcollation <> b.typcollation THEN 'COLLATE ' || t.typcollation::regcollation::text END,
         CASE WHEN t.typnotnull THEN 'NOT NULL' END,
         'DEFAULT ' || pg_get_expr(t.typdefaultbin, 0),
         (SELECT string_agg('CONSTRAINT ' || quote_ident(con.conname) || ' ' || ${constraintText("con")}, ' ' ORDER BY con.conname)
          FROM pg_constraint con WHERE con.contypid = t.oid AND con.contype <> 'n')
       ) AS definition
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_type b ON b.oid = t.typbasetype
WHERE t.typtype = 'd' AND ${USER_TYPE}`;

const COMPOSITE_TYPES = `
SELECT 'type' AS kind, ${qualified("n", "t.typname")} AS object,
       '(' || coalesce((SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                                          || CASE WHEN a.attcollation <> 0 AND a.attcollation <> at.typcollation
                                                  THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END,
                                          ', ' ORDER BY a.attnum)
                        FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
                        WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '') || ')' AS definition
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_class r ON r.oid = t.typrelid
WHERE t.typtype = 'c' AND r.relkind = 'c' AND ${USER_TYPE}`;

const RANGE_TYPES = `
SELECT 'range type' AS kind, ${qualified("n", "t.typname")} AS object,
       concat_ws(', ',
         'SUBTYPE = ' || format_type(r.rngsubtype, NULL),
         CASE WHEN r.rngcollation <> 0 THEN 'COLLATION = ' || r.rngcollation::regcollation::text END,
         'SUBTYPE_OPCLASS = ' || (SELECT quote_ident(o.opcname) FROM pg_opclass o WHERE o.oid = r.rngsubopc),
         CASE WHEN r.rngcanonical::oid <> 0 THEN 'CANONICAL = ' || r.rngcanonical::text END,
         CASE WHEN r.rngsubdiff::oid <> 0 THEN 'SUBTYPE_DIFF = ' || r.rngsubdiff::text END
       ) AS definition
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_range r ON r.rngtypid = t.oid
WHERE t.typtype = 'r' AND ${USER_TYPE}`;

// Base types made with CREATE TYPE (input/output functions), not their array types.
const BASE_TYPES = `
SELECT 'type' AS kind, ${qualified("n", "t.typname")} AS object,
       concat_ws(', ', 'INPUT = ' || t.typinput::text, 'OUTPUT = ' || t.typoutput::text, 'INTERNALLENGTH = ' || t.typlen) AS definition
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'b' AND NOT EXISTS (SELECT 1 FROM pg_type a WHERE a.typarray = t.oid) AND ${USER_TYPE}`;

// Functions Postgres made for a type (the constructors of a range and its multirange) depend on it internally ('i').
const USER_FUNCTION = `${userNamespace("n")} AND ${notInExtension("pg_proc", "p.oid")}
  AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass AND i.objid = p.oid AND i.deptype = 'i')`;

const FUNCTIONS = `
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END AS kind,
       ${qualified("n", "p.proname")} || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS object,
       CASE WHEN p.prokind = 'a' THEN
         (SELECT concat_ws(', ',
                   'SFUNC = ' || ag.aggtransfn::text,
                   'STYPE = ' || format_type(ag.aggtranstype, NULL),
                   CASE WHEN ag.aggfinalfn::oid <> 0 THEN 'FINALFUNC = ' || ag.aggfinalfn::text END,
                   CASE WHEN ag.aggcombinefn::oid <> 0 THEN 'COMBINEFUNC = ' || ag.aggcombinefn::text END,
                   'INITCOND = ' || quote_literal(ag.agginitval),
                   CASE WHEN ag.aggsortop <> 0 THEN 'SORTOP = ' || ag.aggsortop::regoperator::text END,
                   'KIND = ' || ag.aggkind::text)
          FROM pg_aggregate ag WHERE ag.aggfnoid = p.oid)
       ELSE pg_get_functiondef(p.oid) END AS definition
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE ${USER_FUNCTION}`;

const RELATION_PRIVILEGES = `
SELECT 'privileges' AS kind, ${RELATION_KIND_NAME} || ' ' || ${qualified("n", "c.relname")} AS object,
       ${nonDefaultAcl("c.relacl", "CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::\"char\"", "c.relowner")} AS definition
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S') AND ${userNamespace("n")} AND ${notInExtension("pg_class", "c.oid")}
  AND ${nonDefaultAcl("c.relacl", "CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::\"char\"", "c.relowner")} IS NOT NULL`;

const SCHEMA_PRIVILEGES = `
SELECT 'privileges' AS kind, 'schema ' || quote_ident(n.nspname) AS object,
       ${nonDefaultAcl("n.nspacl", "'n'", "n.nspowner")} AS definition
FROM pg_namespace n
WHERE ${userNamespace("n")} AND ${notInExtension("pg_namespace", "n.oid")}
  AND ${nonDefaultAcl("n.nspacl", "'n'", "n.nspowner")} IS NOT NULL`;

const FUNCTION_PRIVILEGES = `
SELECT 'privileges' AS kind,
       CASE p.prokind WHEN 'p' THEN 'procedure ' WHEN 'a' THEN 'aggregate ' ELSE 'function ' END
         || ${qualified("n", "p.proname")} || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS object,
       ${nonDefaultAcl("p.proacl", "'f'", "p.proowner")} AS definition
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE ${USER_FUNCTION}
  AND ${nonDefaultAcl("p.proacl", "'f'", "p.proowner")} IS NOT NULL`;

const DEFAULT_PRIVILEGES = `
SELECT 'default privileges' AS kind,
       'of ' || quote_ident(pg_get_userbyid(d.defaclrole))
         || coalesce(' in schema ' || (SELECT quote_ident(n.nspname) FROM pg_namespace n WHERE n.oid = d.defaclnamespace), '')
         || ' on ' || CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions'
                                           WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas' ELSE d.defaclobjtype::text END AS object,
       array_to_string(ARRAY(SELECT x::text FROM unnest(d.defaclacl) x ORDER BY 1), ' ') AS definition
FROM pg_default_acl d`;

// Every object created after initdb has an OID of 16384 or more, so this leaves out the comments of built-in objects.
// An extension's own comment comes with it (CREATE EXTENSION), like its members' comments.
const COMMENTS = `
SELECT 'comment' AS kind,
       CASE o.type WHEN 'table column' THEN 'column' ELSE o.type END || ' ' || o.identity AS object,
       d.description AS definition
FROM pg_description d CROSS JOIN LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) o
WHERE d.objoid >= 16384 AND d.classoid <> 'pg_extension'::regclass
  AND coalesce(o.schema, '') <> 'information_schema' AND coalesce(o.schema, '') !~ '^pg_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = d.classoid AND e.objid = d.objoid AND e.deptype = 'e')`;

const CATALOG_QUERIES: readonly string[] = [
  SCHEMAS,
  EXTENSIONS,
  TABLES,
  COLUMN_ORDER,
  COLUMNS,
  CONSTRAINTS,
  INDEXES,
  TRIGGERS,
  RULES,
  POLICIES,
  STATISTICS,
  VIEWS,
  SEQUENCES,
  ENUMS,
  DOMAINS,
  COMPOSITE_TYPES,
  RANGE_TYPES,
  BASE_TYPES,
  FUNCTIONS,
  RELATION_PRIVILEGES,
  SCHEMA_PRIVILEGES,
  FUNCTION_PRIVILEGES,
  DEFAULT_PRIVILEGES,
  COMMENTS,
];

/** All of them in one statement: one round trip to the worker or the server. */
const CATALOG_SQL = CATALOG_QUERIES.map((sql) => `(${sql})`).join("\nUNION ALL\n");
