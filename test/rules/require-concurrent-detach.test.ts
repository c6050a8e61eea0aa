import { describe, expect, it } from "vitest";
import rule from "../../src/rules/require-concurrent-detach.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags DETACH PARTITION without CONCURRENTLY on an existing partitioned table", () => {
    testRule(rule, {
      valid: [
        "ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;",
        "ALTER TABLE events DETACH PARTITION events_2024 FINALIZE;",
        "CREATE TABLE logs (at date) PARTITION BY RANGE (at);\nCREATE TABLE logs_1 PARTITION OF logs FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\nALTER TABLE logs DETACH PARTITION logs_1;",
        "-- migrate:down\nALTER TABLE events DETACH PARTITION events_2024;",
      ],
      invalid: [
        { sql: "ALTER TABLE events DETACH PARTITION events_2024;", lines: [1] },
        { sql: "BEGIN;\nALTER TABLE public.events\n  DETACH PARTITION events_2024;\nCOMMIT;", lines: [2] },
      ],
    });
  });

  it("names both tables and offers CONCURRENTLY", () => {
    const [finding] = lint("ALTER TABLE events DETACH PARTITION events_2024;", [rule]);
    expect(finding?.message).toContain("events_2024");
    expect(finding?.message).toContain("ACCESS EXCLUSIVE on events");
    expect(finding?.fix?.replacement).toBe("ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;");
  });
});
