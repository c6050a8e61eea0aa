import { createHash } from "node:crypto";
import type { AnalysisResult } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";

/**
 * A finding's identity across pushes: the file, the rule and the statement it is about, but not
 * the line, so a statement that moves keeps its fingerprint and is not commented on twice. The
 * fingerprint travels in an invisible marker in every comment the app posts.
 */

/** SQL text lower-cased, comments removed, whitespace collapsed (quoted text kept as written, but lower-cased). */
export function normalizeStatement(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    const next = text.charAt(i + 1);
    if (c === "-" && next === "-") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
      out += " ";
      continue;
    }
    if (c === "/" && next === "*") {
      let depth = 1;
      i += 2;
      while (i < text.length && depth > 0) {
        if (text.startsWith("/*", i)) {
          depth++;
          i += 2;
        } else if (text.startsWith("*/", i)) {
          depth--;
          i += 2;
        } else i++;
      }
      out += " ";
      continue;
    }
    if (c === "'" || c === '"') {
      let end = i + 1;
      while (end < text.length) {
        if (text.charAt(end) === c) {
          if (text.charAt(end + 1) === c) end += 2;
          else break;
        } else end++;
      }
      out += text.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    out += c;
    i++;
  }
  return out.toLowerCase().replace(/\s+/g, " ").trim();
}

/**
 * sha256 (hex) of path | rule | the normalised statement text. Without a statement (migration
 * rules, syntax errors) the message stands in for it.
 */
/**
 * The agent's findings carry `agent-` before the hash: they are skipped when posted before like
 * any other, but one the agent does not repeat on the next run is not counted as fixed.
 */
export const AGENT_FINGERPRINT_PREFIX = "agent-";

/**
 * The replay's findings carry `replay-` before the hash, and are fingerprinted by their message
 * (one statement can have several: each difference a down leaves, each relation locked): when a
 * review runs without the replay (unavailable, turned off) they are not counted as fixed.
 */
export const REPLAY_FINGERPRINT_PREFIX = "replay-";

export function fingerprint(finding: Pick<Finding, "path" | "rule" | "message" | "origin">, statementText?: string): string {
  const replay = finding.rule.startsWith(REPLAY_FINGERPRINT_PREFIX);
  const subject = normalizeStatement(replay ? finding.message : (statementText ?? finding.message));
  const hash = createHash("sha256").update(`${finding.path}|${finding.rule}|${subject}`).digest("hex");
  return finding.origin === "agent" ? `${AGENT_FINGERPRINT_PREFIX}${hash}` : replay ? `${REPLAY_FINGERPRINT_PREFIX}${hash}` : hash;
}

/** The text of the statement a finding is about: the statement of its file that contains its line. */
export function statementTextFor(analysis: AnalysisResult, finding: Pick<Finding, "path" | "line">): string | undefined {
  for (const migration of analysis.migrations) {
    for (const section of migration.sections) {
      if (section.section.path !== finding.path) continue;
      const statement = section.statements.find((s) => s.line <= finding.line && finding.line <= s.endLine);
      if (statement) return statement.text;
    }
  }
  return undefined;
}

const MARKER = /<!-- data-engineer:finding=((?:agent-|replay-)?[0-9a-f]{64}) -->/g;

export function findingMarker(fp: string): string {
  return `<!-- data-engineer:finding=${fp} -->`;
}

/** The fingerprints marked in a comment body, in order. */
export function markersIn(text: string): string[] {
  return [...text.matchAll(MARKER)].map((m) => m[1] ?? "").filter((fp) => fp !== "");
}
