import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { AnalysisResult } from "../rules/engine.js";
import { blockCommentEnd } from "../sql/block-comment.js";
import type { AnalyzedStatement, Finding } from "../rules/types.js";

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
      i = blockCommentEnd(text, i);
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

/** The statement a finding is about: the statement of its file that contains its line. */
export function statementFor(analysis: AnalysisResult, finding: Pick<Finding, "path" | "line">): AnalyzedStatement | undefined {
  for (const migration of analysis.migrations) {
    for (const section of migration.sections) {
      if (section.section.path !== finding.path) continue;
      const statement = section.statements.find((s) => s.line <= finding.line && finding.line <= s.endLine);
      if (statement) return statement;
    }
  }
  return undefined;
}

/** The text of the statement a finding is about (see statementFor). */
export function statementTextFor(analysis: AnalysisResult, finding: Pick<Finding, "path" | "line">): string | undefined {
  return statementFor(analysis, finding)?.text;
}

/**
 * Markers. A re-review skips every finding whose fingerprint a marker says was posted, so a
 * marker anyone can write hides findings: a syntax error quoting the pull request once planted
 * markers in the app's own comment. A marker is trusted only when it is
 * - the last line of the comment (the renderer appends it after every text derived from the pull
 *   request, so that text never reaches this position), and
 * - sealed: an HMAC of the fingerprint and the pull request's scope (repository and number) under
 *   a server key, which text from the pull request cannot compute.
 * The renderer writes the unsealed marker; the GitHub client seals it as it posts the comment
 * (it holds the key), and reads back only sealed markers of the app's own comments. Unsealed
 * markers of earlier versions are ignored: their findings are posted once more, then sealed.
 *
 * One comment speaks for every finding on its statement, so a marker lists their fingerprints,
 * comma-separated, under one seal of the whole list. A list of one is the marker of earlier
 * versions, sealed the same way: their comments stay readable.
 */
/** One fingerprint as a marker writes it (a regular expression's source). */
export const FINGERPRINT = "(?:agent-|replay-)?[0-9a-f]{64}";
const FINGERPRINTS = `${FINGERPRINT}(?:,${FINGERPRINT})*`;
const UNSEALED_MARKER = new RegExp(`^<!-- data-engineer:finding=(${FINGERPRINTS}) -->$`);
const SEALED_MARKER = new RegExp(`^<!-- data-engineer:finding=(${FINGERPRINTS}) --><!-- data-engineer:seal=([0-9a-f]{32}) -->$`);
/** 128 bits of HMAC-SHA256: forging one is a 2^128 guess, and a marker stays short. */
export const SEAL_HEX_LENGTH = 32;

/** The unsealed marker the renderer writes as a comment's last line: the fingerprints of every finding the comment is about. */
export function findingMarker(fps: string | readonly string[]): string {
  return `<!-- data-engineer:finding=${typeof fps === "string" ? fps : fps.join(",")} -->`;
}

/** Seals markers for one pull request. The key stays in a closure: no property of it holds the key, so logging it shows nothing. */
export interface MarkerSeal {
  /** The seal of a marker's fingerprint list, as written in it (comma-separated). */
  seal(fingerprints: string): string;
}

/** What a seal binds a marker to: markers of one pull request are not trusted on another, nor in another repository. */
export interface MarkerScope {
  owner: string;
  repo: string;
  pullNumber: number;
}

export function markerSeal(key: Uint8Array, scope: MarkerScope): MarkerSeal {
  // GitHub owner and repository names are case-insensitive.
  const subject = `${scope.owner.toLowerCase()}/${scope.repo.toLowerCase()}#${scope.pullNumber}`;
  return { seal: (fp) => createHmac("sha256", key).update(`${subject}\n${fp}`).digest("hex").slice(0, SEAL_HEX_LENGTH) };
}

function lastLine(body: string): { head: string; line: string } {
  const trimmed = body.trimEnd();
  const at = trimmed.lastIndexOf("\n");
  return { head: trimmed.slice(0, at + 1), line: trimmed.slice(at + 1).replace(/\r$/, "") };
}

/** The body with its last line, when it is an unsealed marker, sealed; any other body unchanged. */
export function sealMarker(body: string, seal: MarkerSeal): string {
  const { head, line } = lastLine(body);
  const list = UNSEALED_MARKER.exec(line)?.[1];
  return list === undefined ? body : `${head}${findingMarker(list)}<!-- data-engineer:seal=${seal.seal(list)} -->`;
}

/** The fingerprints a comment's last line marks with a valid seal; none for markers anywhere else, unsealed or sealed for another pull request. */
export function markersIn(body: string, seal: MarkerSeal): string[] {
  const match = SEALED_MARKER.exec(lastLine(body).line);
  const list = match?.[1];
  const given = match?.[2];
  if (list === undefined || given === undefined) return [];
  const expected = Buffer.from(seal.seal(list), "hex");
  return timingSafeEqual(expected, Buffer.from(given, "hex")) ? list.split(",") : [];
}
