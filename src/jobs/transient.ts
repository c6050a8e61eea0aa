import { GitHubApiError } from "../errors.js";

/**
 * Whether a failed review is worth another attempt of its job: GitHub or the network failing for
 * a while (5xx, 408, 429, a secondary rate limit, a dropped or refused connection, a timeout).
 * Anything the repository, its configuration or the request itself got wrong fails at once, with
 * the reason in the check run, because trying again would fail the same way.
 */

const TRANSIENT_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENOTFOUND", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT"]);

function statusOf(error: unknown): number | undefined {
  if (error instanceof GitHubApiError) return error.status;
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

export function isTransientFailure(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== "object" || depth > 5) return false;
  const status = statusOf(error);
  if (status !== undefined && status > 0) {
    if (status >= 500 || status === 408 || status === 429) return true;
    if (status === 403) return /rate limit|abuse/i.test(error instanceof Error ? error.message : "");
    return false;
  }
  const code = codeOf(error);
  if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
  if (!(error instanceof Error)) return false;
  // Octokit reports a request that got no answer with status 0.
  if (status === 0 || error.name === "TimeoutError" || /fetch failed|socket hang up/i.test(error.message)) return true;
  return isTransientFailure(error.cause, depth + 1);
}
