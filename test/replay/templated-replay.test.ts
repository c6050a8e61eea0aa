import { describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../../src/config/repo-config.js";
import type { SourceFile } from "../../src/migrations/model.js";
import type { ReplayEngine } from "../../src/replay/engine.js";
import type { ReplayTools } from "../../src/replay/replay-migrations.js";
import { verifyByReplay } from "../../src/replay/verify.js";
import { loadSqlParser } from "../../src/sql/parse.js";

await loadSqlParser();

/**
 * A folder with templated SQL ({{ }}, ${ }, :var) is not replayed: only the migration tool can
 * render the template, and running its raw text would fail on the first placeholder. The replay
 * says so (status "skipped", with the file) and never opens an engine; a folder of other dialects'
 * files beside plain PostgreSQL is replayed without them.
 */

const config: RepoConfig = { ...DEFAULT_REPO_CONFIG, replay: { ...DEFAULT_REPO_CONFIG.replay, enabled: true } };

const tools: ReplayTools<string> = {
  fingerprint: () => Promise.resolve(""),
  diff: () => [],
  trace: async (db, sql) => {
    await db.exec(sql);
    return { locks: [], rewritten: [], relations: new Map() };
  },
};

function recordingEngine(executed: string[]): ReplayEngine {
  return {
    kind: "pglite",
    version: "PostgreSQL 18.0",
    exec: (sql) => {
      executed.push(sql);
      return Promise.resolve();
    },
    query: () => Promise.resolve([]),
    snapshot: () => Promise.resolve(undefined),
    close: () => Promise.resolve(),
  };
}

const file = (path: string, text: string): SourceFile => ({ path, text });

describe("replay of templated and multi-dialect folders", () => {
  it("does not run a folder with a templated file, and says which file", async () => {
    const files = [
      file("db/migrations/000001_identities.up.sql", 'CREATE TABLE {{ index .Options "Namespace" }}.identities (id uuid PRIMARY KEY);\n'),
      file("db/migrations/000001_identities.down.sql", 'DROP TABLE {{ index .Options "Namespace" }}.identities;\n'),
      file("db/migrations/000002_nid.up.sql", "CREATE INDEX identities_nid_idx ON identities (id);\n"),
      file("db/migrations/000002_nid.down.sql", "DROP INDEX identities_nid_idx;\n"),
    ];
    let opened = 0;
    const outcome = await verifyByReplay(
      { files, changed: new Set(["db/migrations/000002_nid.up.sql", "db/migrations/000002_nid.down.sql"]), config },
      {
        openEngine: () => {
          opened++;
          return Promise.resolve(recordingEngine([]));
        },
        tools,
      },
    );
    expect(opened).toBe(0);
    expect(outcome.status).toBe("skipped");
    expect(outcome.reason).toBe("db/migrations not replayed: db/migrations/000001_identities.up.sql is templated SQL, which only its tool can render");
    expect(outcome.findings).toEqual([]);
  });

  it("replays the PostgreSQL files of a folder and never runs its MySQL files", async () => {
    const files = [
      file("db/migrations/000001_items.up.sql", "CREATE TABLE items (id bigint PRIMARY KEY);\n"),
      file("db/migrations/000001_items.down.sql", "DROP TABLE items;\n"),
      file("db/migrations/000001_items.mysql.up.sql", "CREATE TABLE `items` (`id` BIGINT PRIMARY KEY) ENGINE=InnoDB;\n"),
    ];
    const executed: string[] = [];
    const outcome = await verifyByReplay(
      { files, changed: new Set(files.map((f) => f.path)), config },
      { openEngine: () => Promise.resolve(recordingEngine(executed)), tools },
    );
    expect(outcome.status).toBe("replayed");
    expect(executed.some((sql) => sql.includes("CREATE TABLE items"))).toBe(true);
    expect(executed.some((sql) => sql.includes("ENGINE=InnoDB"))).toBe(false);
  });
});
