import { retryAfterOf } from "./queue.js";

/**
 * Why a job's run failed, as one word for logs and the `job_retries_total{cause}` metric: GitHub
 * asked us to wait (a primary or secondary rate limit), GitHub failed (5xx), no answer came (a
 * dropped connection, a timeout), or anything else.
 */
export type FailureCause = "rate_limit" | "server_error" | "network" | "other";

const NETWORK_CODES = /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|ENOTFOUND|UND_ERR_\w+)$/;

export function failureCause(error: unknown, depth = 0): FailureCause {
  if (error === null || typeof error !== "object" || depth > 5) return "other";
  if (depth === 0 && retryAfterOf(error) !== undefined) return "rate_limit";
  const status = (error as { status?: unknown }).status;
  const message = error instanceof Error ? error.message : "";
  if (typeof status === "number" && status >= 500) return "server_error";
  if (status === 429 || (status === 403 && /rate limit|abuse/i.test(message))) return "rate_limit";
  if (typeof status === "number" && status > 0) return "other";
  const code = (error as { code?: unknown }).code;
  if (status === 0 || (typeof code === "string" && NETWORK_CODES.test(code))) return "network";
  if (error instanceof Error && (error.name === "TimeoutError" || /fetch failed|socket hang up|other side closed/i.test(message))) return "network";
  return failureCause((error as { cause?: unknown }).cause, depth + 1);
}
