import { timingSafeEqual } from "node:crypto";
import type { AnalysisResult } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";
import { FINGERPRINT, fingerprint, statementTextFor, type MarkerSeal } from "./fingerprint.js";

/**
 * The review body's own marker. A review without inline comments (findings outside the diff,
 * policy findings, every comment moved into the body) left nothing a re-review could recognise:
 * its job, run again after the review was posted (the process killed before the check run was
 * completed, a completion failing until the retries ran out), posted it again. So every review
 * body ends with a marker line listing the fingerprints of the findings the body reports (those
 * with no inline comment of their own), sealed like the comments' markers (fingerprint.ts): an
 * HMAC under the server's key, bound to the pull request, on the body's last line, after every
 * text derived from the pull request. A list may be empty: the marker then says only "this app
 * posted a review here", which is what tells a rerun on the same commit that it was posted.
 *
 * The seal covers `review:` and the list, so a comment's marker is never read as a review's.
 */

const LIST = `(?:${FINGERPRINT}(?:,${FINGERPRINT})*)?`;
const UNSEALED = new RegExp(`^<!-- data-engineer:review-findings=(${LIST}) -->$`);
const SEALED = new RegExp(`^<!-- data-engineer:review-findings=(${LIST}) --><!-- data-engineer:seal=([0-9a-f]{32}) -->$`);

/**
 * At most this many fingerprints in one marker (about 3,300 characters of the body's 65,000): a
 * body listing more is a large review, whose rerun on the same commit is recognised by the
 * marker itself (PullRequestClient.headReviewedBefore); the rest are only not known as posted on
 * the next push.
 */
export const REVIEW_MARKER_MAX_FINGERPRINTS = 50;
/** What sealing adds to the marker line. */
const SEAL_LENGTH = "<!-- data-engineer:seal= -->".length + 32;

const sealed = (list: string, seal: MarkerSeal) => seal.seal(`review:${list}`);

/** The unsealed marker line for these fingerprints (the first REVIEW_MARKER_MAX_FINGERPRINTS). */
export function reviewMarker(fingerprints: readonly string[]): string {
  return `<!-- data-engineer:review-findings=${fingerprints.slice(0, REVIEW_MARKER_MAX_FINGERPRINTS).join(",")} -->`;
}

/** The fingerprints of the findings a review body reports without an inline comment: outside the diff, over the cap, policy. */
export function bodyFingerprints(
  analysis: AnalysisResult,
  findings: { outsideDiff: readonly Finding[]; overCap: readonly Finding[]; policy: readonly Finding[] },
): string[] {
  const all = [...findings.outsideDiff, ...findings.overCap, ...findings.policy].map((f) => fingerprint(f, statementTextFor(analysis, f)));
  return [...new Set(all)];
}

/** The characters the marker line takes at the end of a body, sealed, with the blank line before it. */
export function reviewMarkerRoom(fingerprints: readonly string[]): number {
  return reviewMarker(fingerprints).length + SEAL_LENGTH + 2;
}

/** `body` cut to fit `limit` with the marker (and its seal to come), then the marker as its last line. */
export function withReviewMarker(body: string, fingerprints: readonly string[], limit: number): string {
  const marker = reviewMarker(fingerprints);
  const room = limit - reviewMarkerRoom(fingerprints);
  const text = body.length <= room ? body : `${body.slice(0, room - 1)}…`;
  return `${text.trimEnd()}\n\n${marker}`;
}

function lastLine(body: string): { head: string; line: string } {
  const trimmed = body.trimEnd();
  const at = trimmed.lastIndexOf("\n");
  return { head: trimmed.slice(0, at + 1), line: trimmed.slice(at + 1).replace(/\r$/, "") };
}

/** The body with its last line, when it is an unsealed review marker, sealed; any other body unchanged. */
export function sealReviewMarker(body: string, seal: MarkerSeal): string {
  const { head, line } = lastLine(body);
  const list = UNSEALED.exec(line)?.[1];
  return list === undefined ? body : `${head}${line}<!-- data-engineer:seal=${sealed(list, seal)} -->`;
}

/** The fingerprints a review body's last line marks with a valid seal; undefined when that line is no sealed review marker of this pull request. */
export function reviewMarkerIn(body: string, seal: MarkerSeal): string[] | undefined {
  const match = SEALED.exec(lastLine(body).line);
  const list = match?.[1];
  const given = match?.[2];
  if (list === undefined || given === undefined) return undefined;
  if (!timingSafeEqual(Buffer.from(sealed(list, seal), "hex"), Buffer.from(given, "hex"))) return undefined;
  return list === "" ? [] : list.split(",");
}
