import { metrics as processMetrics, type Metrics } from "./metrics.js";

/**
 * Counts an Octokit's GitHub API requests in the metrics: `github_requests_total{method,status}`
 * and `github_errors_total{status}`. Hooks registered after Octokit's own plugins (retry,
 * throttling) wrap them, so a request retried inside Octokit counts once, with its final result.
 *
 * Only the shape of Octokit's hook API is needed here (src/ops does not depend on Octokit).
 */

interface RequestOptionsLike {
  method?: string;
}

/** What `octokit.hook` offers for the "request" hook, as far as counting needs it. */
export interface OctokitWithHooks {
  hook: {
    after(name: "request", hook: (response: { status: number }, options: RequestOptionsLike) => void): void;
    error(name: "request", hook: (error: Error, options: RequestOptionsLike) => unknown): void;
  };
}

/** The status of a GitHub answer that Octokit threw (4xx, 5xx, 304), or undefined when none came. */
function answeredStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  // @octokit/request throws RequestError with status 500 and no `response` when fetch itself
  // failed; only an error carrying the response is an answer from GitHub.
  const response = (error as { response?: { status?: unknown } }).response;
  return typeof response?.status === "number" ? response.status : undefined;
}

/** Adds the counting hooks to `octokit`. Errors pass through unchanged; counting never throws. */
export function observeOctokit(octokit: OctokitWithHooks, target: Metrics = processMetrics): void {
  octokit.hook.after("request", (response, options) => {
    try {
      target.githubResponse(options.method ?? "GET", response.status);
    } catch {
      // Counting must not fail a request that succeeded.
    }
  });
  octokit.hook.error("request", (error, options) => {
    try {
      target.githubResponse(options.method ?? "GET", answeredStatus(error));
    } catch {
      // Counting must not replace the request's own error.
    }
    throw error;
  });
}

/**
 * The same as an Octokit plugin, for `ProbotOctokit.plugin(octokitMetricsPlugin)`: every client
 * Probot creates (app and installation) is then counted in the process metrics.
 */
export function octokitMetricsPlugin(octokit: OctokitWithHooks): void {
  observeOctokit(octokit);
}
