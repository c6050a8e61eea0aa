import { GitHubApiError, errorMessage } from "../errors.js";
import { rateLimitWait } from "./rate-limit.js";

/** The fields of an Octokit RequestError we use; duck-typed so that any copy of the class matches. */
interface RequestErrorLike {
  status: number;
  message: string;
  request: { method: string; url: string };
}

function isRequestError(error: unknown): error is RequestErrorLike {
  if (!(error instanceof Error) || !("status" in error) || !("request" in error)) return false;
  const request = (error as { request: unknown }).request;
  return (
    typeof (error as { status: unknown }).status === "number" &&
    typeof request === "object" &&
    request !== null &&
    typeof (request as { method?: unknown }).method === "string" &&
    typeof (request as { url?: unknown }).url === "string"
  );
}

/** The path of a request URL, without host or query string (a query can carry a token). */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split("?")[0] ?? url;
  }
}

/**
 * A GitHub failure as a sentence a user can act on: what we were doing and what GitHub answered.
 * `doing` reads like "listing the pull request's files".
 */
export function describeGitHubFailure(error: unknown, doing: string, now: number = Date.now()): GitHubApiError {
  if (error instanceof GitHubApiError) return error;
  if (isRequestError(error)) {
    const where = `${error.request.method} ${pathOf(error.request.url)}`;
    const answer = error.status > 0 ? `GitHub answered HTTP ${error.status}` : "GitHub could not be reached";
    // Octokit appends " - https://docs.github.com/…" to messages; the link adds nothing here.
    const detail = error.message.split(" - https://")[0]?.trim();
    // A rate limit carries how long to wait, for the job queue (src/jobs/queue.ts: retryPlan).
    const wait = rateLimitWait(error, now);
    return new GitHubApiError(`${answer} while ${doing} (${where})${detail ? `: ${detail}` : ""}`, error.status, {
      cause: error,
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    });
  }
  return new GitHubApiError(`Request to GitHub failed while ${doing}: ${errorMessage(error)}`, undefined, {
    cause: error,
  });
}
