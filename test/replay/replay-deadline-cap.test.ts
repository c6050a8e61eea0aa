import { describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../../src/config/repo-config.js";
import { createReplayRunner, replayMaxDeadlineSeconds } from "../../src/replay/runner.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { testOperatorUrls } from "./postgres-operator.js";

await loadSqlParser();

/**
 * The operator's cap on the replay's deadline (REPLAY_MAX_DEADLINE_SECONDS): a repository asking
 * for 900 s gets the operator's 5 s, so one pull request cannot hold a replay slot longer.
 */

const urls = await testOperatorUrls();

describe("the operator's cap on the replay deadline", () => {
  it("reads REPLAY_MAX_DEADLINE_SECONDS, 900 when unset or out of range", () => {
    expect(replayMaxDeadlineSeconds({})).toBe(900);
    expect(replayMaxDeadlineSeconds({ REPLAY_MAX_DEADLINE_SECONDS: "60" })).toBe(60);
    expect(replayMaxDeadlineSeconds({ REPLAY_MAX_DEADLINE_SECONDS: "3600" })).toBe(900);
    expect(replayMaxDeadlineSeconds({ REPLAY_MAX_DEADLINE_SECONDS: "soon" })).toBe(900);
  });

  it.skipIf(urls === undefined)(
    "cuts a repository's 900 s deadline to the operator's",
    async () => {
      const runner = createReplayRunner({ env: { DATABASE_URL: urls!.operator, REPLAY_MAX_DEADLINE_SECONDS: "5" } });
      const config: RepoConfig = { ...DEFAULT_REPO_CONFIG, replay: { ...DEFAULT_REPO_CONFIG.replay, enabled: true, engine: "postgres", deadlineSeconds: 900 } };
      const files = [
        { path: "migrations/2026-01-01-000000_slow/up.sql", text: "SELECT pg_sleep(60);\n" },
        { path: "migrations/2026-01-01-000000_slow/down.sql", text: "SELECT 1;\n" },
      ];
      const outcome = await runner.run({ files, changed: new Set(files.map((f) => f.path)), config }, { installationId: 42 });
      expect(outcome.status).toBe("unavailable");
      // 5 s from the start of the review; what the analysis took before the engine opened comes off it.
      expect(outcome.reason).toMatch(/^the replay ran past (5|4\.\d) s, its time limit$/);
    },
    60_000,
  );
});
