import { anchorFor, type DiffAnchors } from "./diff-anchors.js";
import { findingMarker, fingerprint } from "./fingerprint.js";
import type { AnalyzedStatement, Finding, Severity } from "../rules/types.js";
import { installedDocsUrl, ruleDocUrl } from "./docs-url.js";
import { inlineCode } from "./markdown.js";
import { lockSummary } from "./statement-locks.js";

/**
 * The inline comments of a review: one per statement, with every finding on it, where, and what it
 * says. GitHub rejects a whole review for one bad anchor, so only statements with a checked anchor
 * get a comment; every other finding is returned in a list of its own for the review body.
 */

export const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, note: 2 };
export const SEVERITY_LABEL: Record<Severity, string> = { error: "Error", warning: "Warning", note: "Policy" };

/** Most severe first, then by path and line. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
    a.line - b.line ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)
  );
}

function escapeText(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]+/g, " ")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/[\\`*_{}[\]()#+!|~]/g, (c) => `\\${c}`)
      .replace(/@/g, "@&#8203;")
  );
}

/**
 * Text that may hold names from the pull request (messages quote tables and columns) as plain
 * Markdown text: no markup, no HTML, no @mentions, one line. Code spans the rule wrote in its
 * message (`SET lock_timeout`) stay code spans, re-fenced so their content cannot escape.
 */
export function plainText(text: string): string {
  const out: string[] = [];
  let last = 0;
  for (const match of text.matchAll(/`([^`\n]+)`/g)) {
    out.push(escapeText(text.slice(last, match.index)), inlineCode(match[1] ?? ""));
    last = match.index + match[0].length;
  }
  out.push(escapeText(text.slice(last)));
  return out.join("");
}

/** A fenced code block that no backtick run in `text` can close early. */
export function codeBlock(info: string, text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longestRun + 1));
  const body = text.endsWith("\n") ? text : `${text}\n`;
  return `${fence}${info}\n${body}${fence}`;
}

/** Link to a rule's page under `docsUrl`: absolute, as GitHub resolves a relative one against the pull request's page. */
export function ruleLink(rule: string, docsUrl: string = installedDocsUrl()): string {
  return `[${inlineCode(rule)}](${ruleDocUrl(rule, docsUrl)})`;
}

export interface InlineAnchor {
  line: number;
  startLine?: number;
}

function sourceOf(finding: Finding, docsUrl: string): string {
  return finding.origin === "agent" ? `${inlineCode(finding.rule)} (data-engineer agent)` : ruleLink(finding.rule, docsUrl);
}

/** Whether a fix replaces exactly the commented lines: only then can GitHub apply it as a ```suggestion. */
function fixesExactly(finding: Finding, anchor: InlineAnchor | undefined): boolean {
  if (!finding.fix) return false;
  const at = anchor ?? { line: finding.endLine, ...(finding.line < finding.endLine ? { startLine: finding.line } : {}) };
  return finding.fix.line === (at.startLine ?? at.line) && finding.fix.endLine === at.line;
}

export interface CommentExtras {
  /** Where rule links point (see docs-url.ts). */
  docsUrl?: string;
  /** What the statement's lock means for traffic (see statement-locks.ts), for one line after the findings. */
  lock?: string;
}

/**
 * The body of one inline comment on a statement: each finding, most severe first, with its rule
 * link, message, help and fix; one line for the statement's lock; the marker last. GitHub applies
 * one ```suggestion at a time and two on the same lines would clash, so only the most severe
 * finding whose fix replaces exactly the commented lines gets one; every other fix is shown as SQL.
 */
export function renderStatementComment(
  findings: readonly Finding[],
  fingerprints: readonly string[],
  anchor: InlineAnchor | undefined,
  extras: CommentExtras = {},
): string {
  const docsUrl = extras.docsUrl ?? installedDocsUrl();
  const ordered = [...findings].sort(compareFindings);
  const suggested = ordered.find((f) => fixesExactly(f, anchor));
  const parts: string[] = [];
  for (const finding of ordered) {
    parts.push(`**${SEVERITY_LABEL[finding.severity]}** ${sourceOf(finding, docsUrl)}`, plainText(finding.message));
    if (finding.help) parts.push(plainText(finding.help));
    if (!finding.fix) continue;
    parts.push(
      finding === suggested
        ? `**Suggested fix:** ${plainText(finding.fix.title)}\n\n${codeBlock("suggestion", finding.fix.replacement)}`
        : `**Fix** (lines ${finding.fix.line}–${finding.fix.endLine}): ${plainText(finding.fix.title)}\n\n${codeBlock("sql", finding.fix.replacement)}`,
    );
  }
  if (extras.lock) parts.push(`**Lock:** ${extras.lock}`);
  // Last, after every text derived from the pull request: re-reviews read a marker only on a
  // comment's last line, once the GitHub client has sealed it (see fingerprint.ts).
  parts.push(findingMarker(fingerprints));
  return parts.join("\n\n");
}

/** The body of an inline comment on one finding. A ```suggestion only when the fix replaces exactly the commented lines. */
export function renderInlineComment(finding: Finding, fp: string, anchor?: InlineAnchor, docsUrl: string = installedDocsUrl()): string {
  return renderStatementComment([finding], [fp], anchor, { docsUrl });
}

export interface InlineComment {
  path: string;
  line: number;
  startLine?: number;
  side: "RIGHT";
  startSide?: "RIGHT";
  body: string;
  /** The findings on the statement the comment is about, most severe first (those posted before left out). */
  findings: Finding[];
  /** Their fingerprints, in the same order: all of them are in the comment's marker. */
  fingerprints: string[];
}

export interface InlineSelection {
  inline: InlineComment[];
  /** No line of the finding is in the diff: report in the review body. */
  outsideDiff: Finding[];
  /** Anchored, but their comment is over the cap: listed in the review body. */
  overCap: Finding[];
  /** Already commented on in an earlier review (same fingerprint), or twice in this one. */
  skippedAsPosted: Finding[];
  /** Policy findings (severity "note") kept out of inline comments (InlineOptions.policyInline): listed in the body. */
  policy: Finding[];
}

export interface InlineOptions {
  /** At most this many inline comments (one per statement, whatever its number of findings). */
  max: number;
  /** Fingerprints found in the app's earlier comments on the pull request. */
  alreadyPosted: ReadonlySet<string>;
  /** The statement a finding is about (see statementTextFor). */
  statementText?: (finding: Finding) => string | undefined;
  /**
   * The statement a finding is about (see statementFor): findings on one statement share one
   * comment, anchored on the statement, with a line on its lock. Without it, findings with the
   * same path and lines share one.
   */
  statementOf?: (finding: Finding) => AnalyzedStatement | undefined;
  /** Configured row counts by table name, for the lock line's duration estimate. */
  tableRows?: ReadonlyMap<string, number>;
  /** Policy findings as inline comments too (the `strict` preset); by default they are only listed in the body. */
  policyInline?: boolean;
  /** Where rule links point (see docs-url.ts); this installation's default when absent. */
  docsUrl?: string;
}

interface StatementGroup {
  path: string;
  line: number;
  endLine: number;
  statement: AnalyzedStatement | undefined;
  findings: Array<{ finding: Finding; fp: string }>;
}

/** Findings grouped by the statement they are about, in the order of each group's most severe finding. */
function groupByStatement(findings: ReadonlyArray<{ finding: Finding; fp: string }>, options: InlineOptions): StatementGroup[] {
  const groups = new Map<string, StatementGroup>();
  for (const item of findings) {
    const statement = options.statementOf?.(item.finding);
    const range = statement ? { line: statement.line, endLine: statement.endLine } : { line: item.finding.line, endLine: item.finding.endLine };
    const key = `${item.finding.path}\n${range.line}\n${range.endLine}`;
    let group = groups.get(key);
    if (!group) {
      group = { path: item.finding.path, ...range, statement, findings: [] };
      groups.set(key, group);
    }
    group.findings.push(item);
  }
  return [...groups.values()];
}

/**
 * Splits findings into inline comments, one per statement, and the rest; every finding lands in
 * exactly one list. A comment whose findings were all posted before is not posted again; one with
 * some new findings is posted with the new ones only.
 */
export function selectInlineComments(findings: readonly Finding[], anchorsByPath: ReadonlyMap<string, DiffAnchors>, options: InlineOptions): InlineSelection {
  const result: InlineSelection = { inline: [], outsideDiff: [], overCap: [], skippedAsPosted: [], policy: [] };
  const seen = new Set<string>();
  const fresh: Array<{ finding: Finding; fp: string }> = [];
  for (const finding of [...findings].sort(compareFindings)) {
    if (finding.severity === "note" && options.policyInline !== true) {
      result.policy.push(finding);
      continue;
    }
    const fp = fingerprint(finding, options.statementText?.(finding));
    if (options.alreadyPosted.has(fp)) {
      result.skippedAsPosted.push(finding);
      continue;
    }
    fresh.push({ finding, fp });
  }
  for (const group of groupByStatement(fresh, options)) {
    const anchors = anchorsByPath.get(group.path);
    const anchor = anchors ? anchorFor(group, anchors) : undefined;
    if (!anchor) {
      result.outsideDiff.push(...group.findings.map((m) => m.finding));
      continue;
    }
    if (result.inline.length >= Math.max(0, options.max)) {
      result.overCap.push(...group.findings.map((m) => m.finding));
      continue;
    }
    // A fingerprint already in a comment of this review (same rule, file and statement text twice) is said once.
    const unique = group.findings.filter((m) => !seen.has(m.fp));
    for (const m of group.findings) if (seen.has(m.fp)) result.skippedAsPosted.push(m.finding);
    if (unique.length === 0) continue;
    for (const m of unique) seen.add(m.fp);
    const members = unique.map((m) => m.finding);
    const fingerprints = unique.map((m) => m.fp);
    const lock = group.statement ? lockSummary(group.statement, options.tableRows) : undefined;
    result.inline.push({
      path: group.path,
      line: anchor.line,
      ...(anchor.startLine !== undefined ? { startLine: anchor.startLine, startSide: "RIGHT" as const } : {}),
      side: "RIGHT",
      body: renderStatementComment(members, fingerprints, anchor, { ...(options.docsUrl ? { docsUrl: options.docsUrl } : {}), ...(lock ? { lock } : {}) }),
      findings: members,
      fingerprints,
    });
  }
  return result;
}
