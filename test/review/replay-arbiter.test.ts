import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG } from "../../src/config/repo-config.js";
import { detectMigrations } from "../../src/migrations/detect.js";
import type { SourceFile } from "../../src/migrations/model.js";
import { createReplayRunner } from "../../src/replay/runner.js";
import { withoutContradictedFindings } from "../../src/review/replay-arbiter.js";
import { analyzeMigrations } from "../../src/rules/engine.js";
import { loadSqlParser } from "../../src/sql/parse.js";

await loadSqlParser();

const cacheDir = mkdtempSync(join(tmpdir(), "de-arbiter-cache-"));
const runner = createReplayRunner({ env: {}, cacheDir });
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const config = { ...DEFAULT_REPO_CONFIG, replay: { ...DEFAULT_REPO_CONFIG.replay, enabled: true } };

function diesel(migrations: Record<string, { up: string; down: string }>): SourceFile[] {
  return Object.entries(migrations).flatMap(([name, m]) => [
    { path: `migrations/${name}/up.sql`, text: m.up },
    { path: `migrations/${name}/down.sql`, text: m.down },
  ]);
}

describe("the replay is the arbiter of static rollback findings", () => {
  it("drops a rollback-mismatch finding when the replayed down restores the schema, keeps it when it does not", async () => {
    const files = diesel({
      "2026-01-01-000000_orders": { up: "CREATE TABLE orders (id bigint PRIMARY KEY);\n", down: "DROP TABLE orders;\n" },
      // Postgres drops a sequence OWNED BY a column with the column: the down restores the schema,
      // though the SQL never names the sequence.
      "2026-02-01-000000_numbers": {
        up: "ALTER TABLE orders ADD COLUMN n bigint;\nCREATE SEQUENCE orders_n_seq OWNED BY orders.n;\n",
        down: "ALTER TABLE orders DROP COLUMN n;\n",
      },
      // This down really forgets the index.
      "2026-03-01-000000_index": { up: "CREATE INDEX orders_n_idx ON orders (id);\n", down: "SELECT 1;\n" },
    });
    const analysis = analyzeMigrations(files, detectMigrations(files));
    const staticFindings = analysis.findings.filter((f) => f.rule === "rollback-mismatch").map((f) => f.path);
    expect(staticFindings).toEqual(["migrations/2026-02-01-000000_numbers/up.sql", "migrations/2026-03-01-000000_index/up.sql"]);

    const changed = new Set(files.filter((f) => !f.path.includes("2026-01-01")).map((f) => f.path));
    const replay = await runner.run({ files, changed, config }, {});
    expect(replay.status).toBe("replayed");
    expect(replay.migrations.map((m) => [m.path, m.restores])).toEqual([
      ["migrations/2026-02-01-000000_numbers/up.sql", true],
      ["migrations/2026-03-01-000000_index/up.sql", false],
    ]);

    const kept = withoutContradictedFindings(analysis.findings, analysis, replay).filter((f) => f.rule === "rollback-mismatch");
    expect(kept.map((f) => f.path)).toEqual(["migrations/2026-03-01-000000_index/up.sql"]);
    // Without a replay, nothing is dropped.
    expect(withoutContradictedFindings(analysis.findings, analysis, undefined)).toEqual(analysis.findings);
    // A replay starts Postgres in WASM in a worker: seconds on a loaded machine (the cap, not a goal).
  }, 120_000);
});
