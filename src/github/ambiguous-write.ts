import type { Logger } from "pino";
import { metrics, type GitHubRetryReason } from "../ops/metrics.js";
import type { Clock } from "./rate-limit.js";

/**
 * A create (a review, a check run, a comment) that failed without a clear answer: GitHub answered
 * 5xx, or the connection dropped or timed out. GitHub may have stored it before the answer was
 * lost (a 502 from its front end often comes after the write landed), so it is never sent again
 * blindly: what exists is read back first, and an existing one is adopted. Only when the read
 * finds nothing is the create sent again. Every such write is logged with the cause and the
 * decision, and counted (`github_ambiguous_writes_total{decision}`).
 */

/** Why the outcome of a create is unknown; undefined when the failure says it was not done (4xx). */
export function ambiguityOf(error: unknown, depth = 0): Exclude<GitHubRetryReason, "rate_limit"> | undefined {
  if (error === null || typeof error !== "object" || depth > 5) return undefined;
  const status = (error as { status?: unknown }).status;
  if (typeof status === "number" && status >= 500) return "server_error";
  if (typeof status === "number" && status > 0) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && /^(ECONNRESET|EPIPE|ETIMEDOUT|UND_ERR_SOCKET|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT)$/.test(code)) return "network";
  if (error instanceof Error && (error.name === "TimeoutError" || /socket hang up|fetch failed|other side closed|terminated/i.test(error.message)))
    return "network";
  // Octokit reports a request that got no answer with status 0 and the cause underneath.
  if (status === 0) return "network";
  return ambiguityOf((error as { cause?: unknown }).cause, depth + 1);
}

/** Creates sent at most this many times when each attempt ends ambiguous and the read-back finds nothing. */
export const CREATE_ATTEMPTS = 3;
/** The pause before sending a create again after an ambiguous failure (times the attempt number). */
export const CREATE_RESEND_PAUSE_MS = 1_000;

export interface AmbiguousWritePolicy<T> {
  doing: string;
  /** What an earlier attempt of this very write created, if anything (undefined: nothing). */
  readBack?: () => Promise<T | undefined>;
  log?: Logger;
  clock: Clock;
}

/**
 * Sends `create` (which must not be resent by Octokit: see callGitHub) and settles an ambiguous
 * failure by reading back. Throws the create's error when the outcome stays unknown: without a
 * read-back, when the read-back fails, or after the last attempt.
 */
export async function createOnce<T>(create: () => Promise<T>, policy: AmbiguousWritePolicy<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (error) {
      const cause = ambiguityOf(error);
      if (cause === undefined) throw error;
      const note = (decision: "adopted" | "resent" | "not resent" | "unresolved", extra: Record<string, unknown> = {}) => {
        metrics.githubAmbiguousWrite(decision);
        policy.log?.warn({ doing: policy.doing, cause, attempt, decision, err: error, ...extra }, "ambiguous GitHub write");
      };
      if (!policy.readBack) {
        note("not resent");
        throw error;
      }
      let existing: T | undefined;
      try {
        existing = await policy.readBack();
      } catch (readError) {
        // Unknown either way: the job fails and its next attempt decides again.
        note("unresolved", { readError });
        throw error;
      }
      if (existing !== undefined) {
        note("adopted");
        return existing;
      }
      if (attempt >= CREATE_ATTEMPTS) {
        note("unresolved");
        throw error;
      }
      note("resent");
      metrics.githubRetry(cause);
      await policy.clock.sleep(CREATE_RESEND_PAUSE_MS * attempt);
    }
  }
}
