import { anchorFor, type DiffAnchors } from "./diff-anchors.js";
import { findingMarker, fingerprint } from "./fingerprint.js";
import type { Finding, Severity } from "../rules/types.js";
import { installedDocsUrl, ruleDocUrl } from "./docs-url.js";
import { inlineCode } from "./markdown.js";

/**
 * The inline comments of a review: which findings get one, where, and what it says. GitHub
 * rejects a whole review for one bad anchor, so only findings with a checked anchor are placed
 * inline; every other finding is returned in a list of its own for the review body.
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

/** The body of one inline comment. A ```suggestion only when the fix replaces exactly the commented lines. */
export function renderInlineComment(finding: Finding, fp: string, anchor?: InlineAnchor, docsUrl: string = installedDocsUrl()): string {
  const source = finding.origin === "agent" ? `${inlineCode(finding.rule)} (data-engineer agent)` : ruleLink(finding.rule, docsUrl);
  const parts = [`**${SEVERITY_LABEL[finding.severity]}** ${source}`, plainText(finding.message)];
  if (finding.help) parts.push(plainText(finding.help));
  if (finding.fix) {
    const at = anchor ?? { line: finding.endLine, ...(finding.line < finding.endLine ? { startLine: finding.line } : {}) };
    const exact = finding.fix.line === (at.startLine ?? at.line) && finding.fix.endLine === at.line;
    parts.push(
      exact
        ? `**Suggested fix:** ${plainText(finding.fix.title)}\n\n${codeBlock("suggestion", finding.fix.replacement)}`
        : `**Fix** (lines ${finding.fix.line}–${finding.fix.endLine}): ${plainText(finding.fix.title)}\n\n${codeBlock("sql", finding.fix.replacement)}`,
    );
  }
  // Last, after every text derived from the pull request: re-reviews read a marker only on a
  // comment's last line, once the GitHub client has sealed it (see fingerprint.ts).
  parts.push(findingMarker(fp));
  return parts.join("\n\n");
}

export interface InlineComment {
  path: string;
  line: number;
  startLine?: number;
  side: "RIGHT";
  startSide?: "RIGHT";
  body: string;
  finding: Finding;
  fingerprint: string;
}

export interface InlineSelection {
  inline: InlineComment[];
  /** No line of the finding is in the diff: report in the review body. */
  outsideDiff: Finding[];
  /** Anchored, but over the cap: counted in the review body. */
  overCap: Finding[];
  /** Already commented on in an earlier review (same fingerprint), or twice in this one. */
  skippedAsPosted: Finding[];
}

export interface InlineOptions {
  /** At most this many inline comments. */
  max: number;
  /** Fingerprints found in the app's earlier comments on the pull request. */
  alreadyPosted: ReadonlySet<string>;
  /** The statement a finding is about, for its fingerprint (see statementTextFor). */
  statementText?: (finding: Finding) => string | undefined;
  /** Where rule links point (see docs-url.ts); this installation's default when absent. */
  docsUrl?: string;
}

/** Splits findings into inline comments and the rest; every finding lands in exactly one list. */
export function selectInlineComments(findings: readonly Finding[], anchorsByPath: ReadonlyMap<string, DiffAnchors>, options: InlineOptions): InlineSelection {
  const result: InlineSelection = { inline: [], outsideDiff: [], overCap: [], skippedAsPosted: [] };
  const seen = new Set<string>();
  for (const finding of [...findings].sort(compareFindings)) {
    const fp = fingerprint(finding, options.statementText?.(finding));
    if (options.alreadyPosted.has(fp) || seen.has(fp)) {
      result.skippedAsPosted.push(finding);
      continue;
    }
    const anchors = anchorsByPath.get(finding.path);
    const anchor = anchors ? anchorFor(finding, anchors) : undefined;
    if (!anchor) {
      result.outsideDiff.push(finding);
      continue;
    }
    if (result.inline.length >= Math.max(0, options.max)) {
      result.overCap.push(finding);
      continue;
    }
    seen.add(fp);
    result.inline.push({
      path: finding.path,
      line: anchor.line,
      ...(anchor.startLine !== undefined ? { startLine: anchor.startLine, startSide: "RIGHT" as const } : {}),
      side: "RIGHT",
      body: renderInlineComment(finding, fp, anchor, options.docsUrl),
      finding,
      fingerprint: fp,
    });
  }
  return result;
}
