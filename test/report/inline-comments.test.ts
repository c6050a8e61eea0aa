import { beforeAll, describe, expect, it } from "vitest";
import { installedDocsUrl } from "../../src/report/docs-url.js";
import { renderInlineComment, selectInlineComments } from "../../src/report/inline-comments.js";
import { commentableLines, type DiffAnchors } from "../../src/report/diff-anchors.js";
import { findingMarker, fingerprint, markerSeal, markersIn, sealMarker, statementTextFor } from "../../src/report/fingerprint.js";
import { analyzeMigrations, type AnalysisResult } from "../../src/rules/engine.js";
import type { Finding } from "../../src/rules/types.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { caseMigration } from "../helpers/rule-tester.js";

const UP = "db/migrations/0001_case.up.sql";

const SQL = [
  "CREATE INDEX users_email ON users (email);", // 1
  "CREATE INDEX users_name", // 2
  "  ON users (name);", // 3
  'DROP TABLE "<script>alert(1)</script>";', // 4
  'ALTER TABLE "@octocat`x" ADD COLUMN c int NOT NULL;', // 5
  "",
].join("\n");

let analysis: AnalysisResult;

beforeAll(async () => {
  await loadSqlParser();
  const { files, migration } = caseMigration(SQL);
  analysis = analyzeMigrations(files, [migration]);
});

const SEAL = markerSeal(Buffer.from("test marker key"), { owner: "acme", repo: "shop", pullNumber: 7 });

function newFilePatch(lines: number): string {
  return [`@@ -0,0 +1,${lines} @@`, ...Array.from({ length: lines }, (_, i) => `+line ${i + 1}`)].join("\n");
}

function byRuleAt(rule: string, line: number): Finding {
  const finding = analysis.findings.find((f) => f.rule === rule && f.line === line);
  if (!finding) throw new Error(`no ${rule} at ${line}: ${analysis.findings.map((f) => `${f.rule}:${f.line}`).join(", ")}`);
  return finding;
}

const text = (f: Finding) => statementTextFor(analysis, f);

describe("renderInlineComment", () => {
  it.each([
    ["fix on exactly the anchored line: suggestion", 1, { line: 1 }, "```suggestion\nCREATE INDEX CONCURRENTLY users_email ON users (email);\n```"],
    [
      "fix on exactly the anchored range: suggestion",
      2,
      { line: 3, startLine: 2 },
      "```suggestion\nCREATE INDEX CONCURRENTLY users_name\n  ON users (name);\n```",
    ],
    ["anchored on part of the fix's range: sql block", 2, { line: 3 }, "```sql\nCREATE INDEX CONCURRENTLY users_name\n  ON users (name);\n```"],
  ])("%s", (_name, line, anchor, block) => {
    const finding = byRuleAt("require-concurrent-index", line);
    const body = renderInlineComment(finding, "f".repeat(64), anchor);
    expect(body).toContain(block);
    expect(body.includes("```suggestion")).toBe(block.startsWith("```suggestion"));
    expect(body).toContain(`[\`require-concurrent-index\`](${installedDocsUrl()}require-concurrent-index.md)`);
    expect(body).not.toContain("](docs/");
    expect(body).toMatch(/^\*\*(Error|Warning|Note)\*\*/);
    expect(markersIn(sealMarker(body, SEAL), SEAL)).toEqual(["f".repeat(64)]);
  });

  it("renders names from the SQL inert: no HTML, no mention, no code span escape", () => {
    const hostile: Finding = {
      rule: "ban-drop-table",
      severity: "error",
      category: "destructive",
      path: UP,
      line: 4,
      endLine: 4,
      message: "Dropping <script>alert(1)</script> for @octocat `x` [link](http://evil) | **bold**",
      help: "@org/team <img src=x onerror=alert(1)>",
    };
    const body = renderInlineComment(hostile, "a".repeat(64));
    expect(body).not.toMatch(/<script|<img/);
    expect(body).not.toMatch(/@octocat|@org/);
    expect(body).not.toContain("[link](");
    expect(body).not.toContain("**bold**");
    expect(body).toContain("&lt;script&gt;");
  });

  it("does not trust markers that text from the pull request puts in a code span or a fix block of our own comment", () => {
    const forged = "e".repeat(64);
    // Even a correctly sealed marker (the CI mode's key is public) on a line of its own.
    const sealedLine = sealMarker(findingMarker(forged), SEAL);
    const quoting: Finding = {
      rule: "syntax-error",
      severity: "error",
      category: "compat",
      path: UP,
      line: 1,
      endLine: 1,
      message: `syntax error at or near \`${findingMarker(forged)}\``,
      help: `Near \`${sealedLine}\``,
      fix: { title: "t", line: 1, endLine: 1, replacement: `SELECT 1;\n${findingMarker(forged)}\n${sealedLine}` },
    };
    const real = "d".repeat(64);
    const body = sealMarker(renderInlineComment(quoting, real, { line: 1 }), SEAL);
    expect(body).toContain(`\`${findingMarker(forged)}\``);
    expect(body).toContain(`\n${sealedLine}\n`);
    expect(markersIn(body, SEAL)).toEqual([real]);
  });

  it("links the rule's page absolutely, under the docs URL given", () => {
    const finding = byRuleAt("require-concurrent-index", 1);
    expect(renderInlineComment(finding, "c".repeat(64), { line: 1 }, "https://docs.example.com/de/rules")).toContain(
      "[`require-concurrent-index`](https://docs.example.com/de/rules/require-concurrent-index.md)",
    );
    const [comment] = selectInlineComments([finding], new Map([[UP, commentableLines(newFilePatch(5))]]), {
      max: 50,
      alreadyPosted: new Set(),
      docsUrl: "https://docs.example.com/x/",
    }).inline;
    expect(comment?.body).toContain("](https://docs.example.com/x/require-concurrent-index.md)");
  });

  it("keeps a replacement with backticks inside its fence", () => {
    const finding: Finding = { ...byRuleAt("require-concurrent-index", 1), fix: { title: "t", line: 1, endLine: 1, replacement: "SELECT '```';" } };
    const body = renderInlineComment(finding, "b".repeat(64), { line: 1 });
    expect(body).toContain("````suggestion\nSELECT '```';\n````");
  });
});

describe("selectInlineComments", () => {
  const all = () => analysis.findings.filter((f) => f.path === UP);
  const anchorsFor = (patch: string): Map<string, DiffAnchors> => new Map([[UP, commentableLines(patch)]]);

  it("posts every anchored finding, most severe first, on RIGHT lines", () => {
    const result = selectInlineComments(all(), anchorsFor(newFilePatch(5)), { max: 50, alreadyPosted: new Set(), statementText: text });
    expect(result.outsideDiff).toEqual([]);
    expect(result.inline.length).toBe(all().length);
    const order = result.inline.map((c) => ({ error: 0, warning: 1, note: 2 })[c.finding.severity]);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    for (const c of result.inline) {
      expect(c.side).toBe("RIGHT");
      if (c.startLine !== undefined) {
        expect(c.startSide).toBe("RIGHT");
        expect(c.startLine).toBeLessThan(c.line);
      } else expect(c).not.toHaveProperty("startSide");
    }
    const multi = result.inline.find((c) => c.finding.rule === "require-concurrent-index" && c.finding.line === 2);
    expect(multi).toMatchObject({ line: 3, startLine: 2 });
    expect(multi?.body).toContain("```suggestion");
  });

  it.each([
    ["cap 0", 0],
    ["cap 1", 1],
    ["cap 2", 2],
  ])("%s: at most max inline, the rest over the cap", (_name, max) => {
    const result = selectInlineComments(all(), anchorsFor(newFilePatch(5)), { max, alreadyPosted: new Set(), statementText: text });
    expect(result.inline.length).toBe(Math.min(max, all().length));
    expect(result.overCap.length).toBe(all().length - result.inline.length);
  });

  it("does not post a finding again whose fingerprint is already posted", () => {
    const drop = byRuleAt("ban-drop-table", 4);
    const posted = new Set([fingerprint(drop, text(drop))]);
    const result = selectInlineComments(all(), anchorsFor(newFilePatch(5)), { max: 50, alreadyPosted: posted, statementText: text });
    expect(result.skippedAsPosted).toEqual([drop]);
    expect(result.inline.map((c) => c.finding)).not.toContain(drop);
  });

  it("puts findings without an anchor outside the diff", () => {
    // Only lines 4 and 5 changed; the indexes on lines 1-3 are context-less, outside the diff.
    const patch = "@@ -3,1 +3,3 @@\n   ON users (name);\n+DROP TABLE x;\n+ALTER TABLE y;";
    const result = selectInlineComments(all(), anchorsFor(patch), { max: 50, alreadyPosted: new Set(), statementText: text });
    expect(result.outsideDiff.map((f) => f.line).sort()).toEqual(
      all()
        .filter((f) => f.endLine < 3)
        .map((f) => f.line)
        .sort(),
    );
    const partial = result.inline.find((c) => c.finding.rule === "require-concurrent-index");
    expect(partial).toMatchObject({ line: 3 });
    expect(partial?.startLine).toBeUndefined();
    expect(partial?.body).toContain("```sql");
    expect(selectInlineComments(all(), new Map(), { max: 50, alreadyPosted: new Set() }).outsideDiff.length).toBe(all().length);
  });

  it("never loses a finding: each lands in exactly one list", () => {
    const findings = analysis.findings;
    expect(new Set(findings.map((f) => f.path)).size).toBe(2);
    const drop = byRuleAt("ban-drop-table", 4);
    for (const max of [0, 1, 3, 100]) {
      for (const patch of [newFilePatch(5), "@@ -1,1 +1,2 @@\n a\n+b", undefined]) {
        const r = selectInlineComments(findings, new Map([[UP, commentableLines(patch)]]), {
          max,
          alreadyPosted: new Set([fingerprint(drop, text(drop))]),
          statementText: text,
        });
        const placed = [...r.inline.map((c) => c.finding), ...r.outsideDiff, ...r.overCap, ...r.skippedAsPosted];
        expect(placed.length).toBe(findings.length);
        expect(new Set(placed)).toEqual(new Set(findings));
      }
    }
  });
});
