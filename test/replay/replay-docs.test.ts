import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../../src/config/repo-config.js";
import type { SourceFile } from "../../src/migrations/model.js";
import { REPLAY_RULE_IDS } from "../../src/ids/rule-ids.js";
import { createReplayRunner } from "../../src/replay/runner.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { readDoc } from "../helpers/rule-docs.js";
import { ROOT } from "../helpers/run-built.js";

await loadSqlParser();

/**
 * The replay's checks are rules without code of their own in the analyser: their documentation
 * pages' examples run in the replay (PGlite in a worker), on the table the other pages use:
 * the "Instead of" migration raises the check, the "Use" migration replays cleanly of it.
 */

const cacheDir = mkdtempSync(join(tmpdir(), "de-replay-docs-cache-"));
const runner = createReplayRunner({ env: {}, cacheDir });
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const config: RepoConfig = { ...DEFAULT_REPO_CONFIG, replay: { ...DEFAULT_REPO_CONFIG.replay, enabled: true } };

/** The schema every example starts from (the earlier migration of the folder). */
const BASE: SourceFile[] = [
  {
    path: "migrations/2026-01-01-000000_create_orders/up.sql",
    text: "CREATE TABLE orders (\n  id bigint PRIMARY KEY,\n  customer_id bigint NOT NULL,\n  status text NOT NULL,\n  quantity integer NOT NULL,\n  created_at timestamptz NOT NULL DEFAULT now()\n);\n",
  },
  { path: "migrations/2026-01-01-000000_create_orders/down.sql", text: "DROP TABLE orders;\n" },
];

/** An example as the Diesel migration after BASE: up.sql, and down.sql from its `-- migrate:down` line on. */
async function replayExample(sql: string) {
  const [up = "", down = ""] = sql.split(/^-- migrate:down[^\n]*\n?/m);
  const folder = "migrations/2026-02-01-000000_example";
  const files: SourceFile[] = [...BASE, { path: `${folder}/up.sql`, text: up }, { path: `${folder}/down.sql`, text: down }];
  const outcome = await runner.run({ files, changed: new Set([`${folder}/up.sql`, `${folder}/down.sql`]), config }, {});
  expect(outcome.status, outcome.reason ?? "").toBe("replayed");
  return outcome.findings;
}

describe.each(REPLAY_RULE_IDS.map((id) => [id]))("docs/rules/%s.md", (id) => {
  const doc = readDoc(ROOT, id);

  it("has examples of both kinds", () => {
    expect(doc.insteadOf.length).toBeGreaterThan(0);
    expect(doc.use.length).toBeGreaterThan(0);
  });

  it("raises the check on the 'Instead of' examples and not on the 'Use' examples", async () => {
    for (const example of doc.insteadOf) {
      expect(
        (await replayExample(example)).map((f) => f.rule),
        example,
      ).toContain(id);
    }
    for (const example of doc.use) {
      const rules = (await replayExample(example)).map((f) => f.rule);
      expect(rules, example).not.toContain(id);
      expect(rules, example).not.toContain("replay-up-fails");
    }
  }, 240_000);
});
