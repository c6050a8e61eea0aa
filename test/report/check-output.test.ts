import { describe, expect, it } from "vitest";
import type { RelevantFile } from "../../src/migrations/relevant-files.js";
import { CHECK_SUMMARY_LIMIT, CHECK_TITLE_LIMIT, noRelevantChanges, relevantFilesFound, reviewFailed } from "../../src/report/check-output.js";

function file(i: number): RelevantFile {
  return { path: `db/migrations/${String(i).padStart(6, "0")}_a_rather_long_migration_name_for_budget_tests.up.sql`, status: "added", additions: 10, deletions: 0, kind: "sql" };
}

describe("check run output", () => {
  it("stays under GitHub's limits for 3,000 migration files", () => {
    const files = Array.from({ length: 3000 }, (_, i) => file(i));
    const { output, conclusion } = relevantFilesFound(files, { listed: 3000, changed: 3000 });
    expect(conclusion).toBe("neutral");
    expect(output.title).toBe("3,000 migration files found");
    expect(output.summary.length).toBeLessThanOrEqual(CHECK_SUMMARY_LIMIT);
    expect(output.summary).toMatch(/- … and [\d,]+ more files$/);
  });

  it("says plainly when one file is found", () => {
    expect(relevantFilesFound([file(1)], { listed: 1, changed: 1 }).output.title).toBe("1 migration file found");
  });

  it("passes only when every changed file was seen", () => {
    expect(noRelevantChanges({ listed: 4, changed: 4 }).conclusion).toBe("success");
    expect(noRelevantChanges({ listed: 3000, changed: 3001 }).conclusion).toBe("neutral");
  });

  it("fails with the reason, cut to GitHub's limit", () => {
    const failed = reviewFailed("x".repeat(100_000));
    expect(failed.conclusion).toBe("failure");
    expect(failed.output.summary.length).toBeLessThanOrEqual(CHECK_SUMMARY_LIMIT);
    expect(failed.output.title.length).toBeLessThanOrEqual(CHECK_TITLE_LIMIT);
  });
});
