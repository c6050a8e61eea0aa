import { describe, expect, it } from "vitest";
import { CHECK_SUMMARY_LIMIT, CHECK_TITLE_LIMIT, noRelevantChanges, reviewFailed } from "../../src/report/check-output.js";

describe("check run output", () => {
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
