import { describe, expect, it } from "vitest";
import { COMMIT_STATUS_DESCRIPTION_LIMIT, commitStatusState, statusDescription } from "../../src/github/commit-status.js";

describe("commitStatusState", () => {
  it("passes where a check run would pass a required check, and fails where it would fail", () => {
    expect(commitStatusState("success")).toBe("success");
    expect(commitStatusState("neutral")).toBe("success");
    expect(commitStatusState("skipped")).toBe("success");
    expect(commitStatusState("failure")).toBe("failure");
    expect(commitStatusState("error")).toBe("error");
  });
});

describe("statusDescription", () => {
  it("keeps one line within GitHub's 140 characters", () => {
    expect(statusDescription("2 errors, 3 warnings in 4 migrations")).toBe("2 errors, 3 warnings in 4 migrations");
    expect(statusDescription("Invalid\n  .github/data-engineer.yml")).toBe("Invalid .github/data-engineer.yml");
    const long = statusDescription("x".repeat(300));
    expect(long).toHaveLength(COMMIT_STATUS_DESCRIPTION_LIMIT);
    expect(long.endsWith("…")).toBe(true);
  });
});
