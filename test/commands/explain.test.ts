import { describe, expect, it } from "vitest";
import { explainRule } from "../../src/commands/explain.js";
import { closeRuleIds } from "../../src/ids/close-rule-ids.js";
import { DEFAULT_REPO_CONFIG, parseRepoConfigText } from "../../src/config/repo-config.js";

describe("explain", () => {
  it("gives a known rule's page without its front matter, with the repository's setting", async () => {
    const config = parseRepoConfigText("rules:\n  ban-drop-table: error\n");
    const explained = await explainRule("ban-drop-table", config);
    expect(explained.found).toBe(true);
    expect(explained.markdown).toContain("### `ban-drop-table`: Drop tables only once nothing uses them");
    expect(explained.markdown).toContain("tier **Policy** (`recommended`), **Warning** (`strict`)");
    expect(explained.markdown).toContain("in this repository: **error** (`rules.ban-drop-table`)");
    expect(explained.markdown).toContain("\n#### Problem\n");
    expect(explained.markdown).toContain("\n##### Instead of\n");
    expect(explained.markdown).toContain("ALTER TABLE legacy_events RENAME TO legacy_events_deprecated;");
    expect(explained.markdown).not.toContain("severity: note\ncategory");
  });

  it("understands squawk's rule names", async () => {
    const explained = await explainRule("prefer-robust-stmts", DEFAULT_REPO_CONFIG);
    expect(explained.markdown).toContain("squawk's `prefer-robust-stmts` is checked by data-engineer's `require-if-not-exists`");
  });

  it("answers for the replay's checks, which are rules with a page like the others", async () => {
    const config = parseRepoConfigText("rules:\n  replay-down-mismatch: error\n");
    const explained = await explainRule("replay-down-mismatch", config);
    expect(explained.found).toBe(true);
    expect(explained.markdown).toContain("### `replay-down-mismatch`: After up then down, the schema is what it was before up");
    expect(explained.markdown).toContain("tier **Warning** (`recommended`), **Warning** (`strict`) · category rollback");
    expect(explained.markdown).toContain("in this repository: **error** (`rules.replay-down-mismatch`)");
    expect(explained.markdown).toContain("\n##### Instead of\n");
  });

  it("knows the names squawk prints, such as prefer-repack", async () => {
    const explained = await explainRule("prefer-repack", DEFAULT_REPO_CONFIG);
    expect(explained.markdown).toContain("squawk's `prefer-repack` is checked by data-engineer's `ban-vacuum-full`");
  });

  it("names every rule a squawk name stands for", async () => {
    const explained = await explainRule("require-timeout-settings", DEFAULT_REPO_CONFIG);
    expect(explained.markdown).toContain(
      "squawk's `require-timeout-settings` is checked by data-engineer's `require-lock-timeout` (and `require-statement-timeout`: ask for those by name)",
    );
  });

  it("suggests close rule ids for an unknown one", async () => {
    expect(closeRuleIds("ban-drop-tabel")).toEqual(["ban-drop-table"]);
    expect(closeRuleIds("concurrent-index")).toContain("require-concurrent-index");
    expect(closeRuleIds("zzzzzzzz")).toEqual([]);
    expect(closeRuleIds("replay-down-mismatc")).toEqual(["replay-down-mismatch"]);
    const explained = await explainRule("ban-drop-colum", DEFAULT_REPO_CONFIG);
    expect(explained.found).toBe(false);
    expect(explained.markdown).toContain("there is no rule `ban-drop-colum`. Did you mean `ban-drop-column`");
    expect(explained.markdown).toContain("<summary>Every rule</summary>");
  });
});
