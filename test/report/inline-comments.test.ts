import { beforeAll, describe, expect, it } from "vitest";
import { installedDocsUrl } from "../../src/report/docs-url.js";
import { SEVERITY_LABEL, renderInlineComment, selectInlineComments } from "../../src/report/inline-comments.js";
import { commentableLines, type DiffAnchors } from "../../src/report/diff-anchors.js";
import { findingMarker, fingerprint, markerSeal, markersIn, sealMarker, statementFor, statementTextFor } from "../../src/report/fingerprint.js";
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
    expect(body).toMatch(new RegExp(`^\\*\\*(${Object.values(SEVERITY_LABEL).join("|")})\\*\\*`));
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
  const statementOf = (f: Finding) => statementFor(analysis, f);
  const grouped = { statementText: text, statementOf };
  /** The statements (path and first line) the findings are on: one comment each. */
  const statementsOf = (findings: readonly Finding[]) => new Set(findings.map((f) => `${f.path}:${statementOf(f)?.line ?? f.line}`));

  it("posts one comment per statement with every anchored finding on it, most severe first, on RIGHT lines", () => {
    const result = selectInlineComments(all(), anchorsFor(newFilePatch(5)), { max: 50, alreadyPosted: new Set(), policyInline: true, ...grouped });
    expect(result.outsideDiff).toEqual([]);
    expect(result.inline.flatMap((c) => c.findings).length).toBe(all().length);
    expect(result.inline.length).toBe(statementsOf(all()).size);
    expect(result.inline.length).toBeLessThan(all().length);
    for (const c of result.inline) {
      expect(statementsOf(c.findings).size).toBe(1);
      const order = c.findings.map((f) => ({ error: 0, warning: 1, note: 2 })[f.severity]);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(c.fingerprints).toEqual(c.findings.map((f) => fingerprint(f, text(f))));
      expect(markersIn(sealMarker(c.body, SEAL), SEAL)).toEqual(c.fingerprints);
      expect(c.side).toBe("RIGHT");
      if (c.startLine !== undefined) {
        expect(c.startSide).toBe("RIGHT");
        expect(c.startLine).toBeLessThan(c.line);
      } else expect(c).not.toHaveProperty("startSide");
    }
    const multi = result.inline.find((c) => c.findings.some((f) => f.rule === "require-concurrent-index" && f.line === 2));
    expect(multi).toMatchObject({ line: 3, startLine: 2 });
    expect(multi?.body).toContain("```suggestion");
  });

  it("puts three findings on one statement in one comment, most severe first, with one line for the lock and its estimated duration", () => {
    // Severities set here so the three tiers meet on one statement whatever the rules' defaults are.
    const on1 = (rule: string, severity: Finding["severity"]): Finding => ({ ...byRuleAt(rule, 1), severity });
    const findings = [on1("require-if-not-exists", "note"), on1("require-concurrent-index", "warning"), on1("require-lock-timeout", "error")];
    const result = selectInlineComments(findings, anchorsFor(newFilePatch(5)), {
      max: 50,
      alreadyPosted: new Set(),
      policyInline: true,
      tableRows: new Map([["users", 2_000_000]]),
      ...grouped,
    });
    expect(result.inline).toHaveLength(1);
    const [comment] = result.inline;
    expect(comment?.findings.map((f) => f.rule)).toEqual(["require-lock-timeout", "require-concurrent-index", "require-if-not-exists"]);
    const body = comment?.body ?? "";
    const at = (rule: string) => body.indexOf(`[\`${rule}\`]`);
    expect(at("require-lock-timeout")).toBeGreaterThan(-1);
    expect(at("require-lock-timeout")).toBeLessThan(at("require-concurrent-index"));
    expect(at("require-concurrent-index")).toBeLessThan(at("require-if-not-exists"));
    const lockLines = body.split("\n").filter((l) => l.startsWith("**Lock:**"));
    expect(lockLines).toEqual(["**Lock:** SHARE on `users`; blocks writes, scans the table, for about 2 s (2,000,000 rows)"]);
    expect(body.match(/```suggestion/g)).toHaveLength(1);
    expect(markersIn(sealMarker(body, SEAL), SEAL)).toEqual(comment?.fingerprints);
    expect(comment?.fingerprints).toHaveLength(3);
  });

  it("shows one suggestion per comment: the most severe exact fix; the others as SQL", () => {
    const base = byRuleAt("require-concurrent-index", 1);
    const second: Finding = {
      ...byRuleAt("require-lock-timeout", 1),
      severity: "warning",
      fix: { title: "other", line: 1, endLine: 1, replacement: "SELECT 2;" },
    };
    const first: Finding = { ...base, severity: "error" };
    const [comment] = selectInlineComments([second, first], anchorsFor(newFilePatch(5)), { max: 50, alreadyPosted: new Set(), ...grouped }).inline;
    const body = comment?.body ?? "";
    expect(body.match(/```suggestion/g)).toHaveLength(1);
    expect(body).toContain("```suggestion\nCREATE INDEX CONCURRENTLY users_email ON users (email);\n```");
    expect(body).toContain("```sql\nSELECT 2;\n```");
  });

  it.each([
    ["cap 0", 0],
    ["cap 1", 1],
    ["cap 2", 2],
  ])("%s: at most max comments (statements, not findings), the rest over the cap", (_name, max) => {
    const result = selectInlineComments(all(), anchorsFor(newFilePatch(5)), { max, alreadyPosted: new Set(), ...grouped });
    const statements = statementsOf(all().filter((f) => f.severity !== "note")).size;
    expect(result.inline.length).toBe(Math.min(max, statements));
    expect(result.inline.flatMap((c) => c.findings).length + result.overCap.length + result.policy.length).toBe(all().length);
  });

  it("does not post a finding again whose fingerprint is already posted", () => {
    const drop = byRuleAt("add-required-column", 5); // the DROP TABLE on line 4 has only a policy finding: listed in the body, never inline
    const posted = new Set([fingerprint(drop, text(drop))]);
    const result = selectInlineComments(all(), anchorsFor(newFilePatch(5)), { max: 50, alreadyPosted: posted, ...grouped });
    expect(result.skippedAsPosted).toEqual([drop]);
    expect(result.inline.flatMap((c) => c.findings)).not.toContain(drop);
  });

  it("recognises a grouped comment on a re-review: posted again only with its new findings", () => {
    const first = selectInlineComments(all(), anchorsFor(newFilePatch(5)), { max: 50, alreadyPosted: new Set(), ...grouped });
    const grouped1 = first.inline.find((c) => c.findings.length > 1);
    expect(grouped1).toBeDefined();
    // What the GitHub client reads back from the sealed comments.
    const posted = new Set(first.inline.flatMap((c) => markersIn(sealMarker(c.body, SEAL), SEAL)));
    const again = selectInlineComments(all(), anchorsFor(newFilePatch(5)), { max: 50, alreadyPosted: posted, ...grouped });
    expect(again.inline).toEqual([]);
    expect(new Set(again.skippedAsPosted)).toEqual(new Set(first.inline.flatMap((c) => c.findings)));
    // One finding of the grouped comment was not posted before: the comment comes again with it alone.
    const [kept, ...rest] = grouped1?.fingerprints ?? [];
    const partly = selectInlineComments(all(), anchorsFor(newFilePatch(5)), {
      max: 50,
      alreadyPosted: new Set([...posted].filter((fp) => fp !== kept)),
      ...grouped,
    });
    expect(partly.inline).toHaveLength(1);
    expect(partly.inline[0]?.fingerprints).toEqual([kept]);
    expect(rest.length).toBeGreaterThan(0);
  });

  it("keeps policy findings out of inline comments unless policyInline", () => {
    const notes = all().filter((f) => f.severity === "note");
    expect(notes.length).toBeGreaterThan(0);
    const byDefault = selectInlineComments(all(), anchorsFor(newFilePatch(5)), { max: 50, alreadyPosted: new Set(), ...grouped });
    expect(byDefault.policy).toEqual(notes);
    expect(byDefault.inline.flatMap((c) => c.findings).some((f) => f.severity === "note")).toBe(false);
    const strict = selectInlineComments(all(), anchorsFor(newFilePatch(5)), { max: 50, alreadyPosted: new Set(), policyInline: true, ...grouped });
    expect(strict.policy).toEqual([]);
    expect(new Set(strict.inline.flatMap((c) => c.findings).filter((f) => f.severity === "note"))).toEqual(new Set(notes));
  });

  it("puts findings without an anchor outside the diff", () => {
    // Only lines 4 and 5 changed; the indexes on lines 1-3 are context-less, outside the diff.
    const patch = "@@ -3,1 +3,3 @@\n   ON users (name);\n+DROP TABLE x;\n+ALTER TABLE y;";
    const result = selectInlineComments(all(), anchorsFor(patch), { max: 50, alreadyPosted: new Set(), ...grouped });
    expect(result.outsideDiff.map((f) => f.line).sort()).toEqual(
      all()
        .filter((f) => f.endLine < 3 && f.severity !== "note")
        .map((f) => f.line)
        .sort(),
    );
    const partial = result.inline.find((c) => c.findings.some((f) => f.rule === "require-concurrent-index"));
    expect(partial).toMatchObject({ line: 3 });
    expect(partial?.startLine).toBeUndefined();
    expect(partial?.body).toContain("```sql");
    expect(selectInlineComments(all(), new Map(), { max: 50, alreadyPosted: new Set() }).outsideDiff.length).toBe(
      all().filter((f) => f.severity !== "note").length,
    );
  });

  it("never loses a finding: each lands in exactly one list", () => {
    const findings = analysis.findings;
    expect(new Set(findings.map((f) => f.path)).size).toBe(2);
    const drop = byRuleAt("ban-drop-table", 4);
    for (const max of [0, 1, 3, 100]) {
      for (const policyInline of [false, true]) {
        for (const patch of [newFilePatch(5), "@@ -1,1 +1,2 @@\n a\n+b", undefined]) {
          const r = selectInlineComments(findings, new Map([[UP, commentableLines(patch)]]), {
            max,
            alreadyPosted: new Set([fingerprint(drop, text(drop))]),
            policyInline,
            ...grouped,
          });
          const placed = [...r.inline.flatMap((c) => c.findings), ...r.outsideDiff, ...r.overCap, ...r.skippedAsPosted, ...r.policy];
          expect(placed.length).toBe(findings.length);
          expect(new Set(placed)).toEqual(new Set(findings));
        }
      }
    }
  });
});
