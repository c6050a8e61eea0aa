import { Octokit } from "@octokit/rest";
import type { Logger } from "pino";
import type { GitHubOctokit } from "./octokit.js";

/**
 * A GitHub client authenticated with a token (a workflow's GITHUB_TOKEN), for `data-engineer
 * review --github`: the same calls the app makes with its installation's Octokit.
 */
export interface TokenOctokitOptions {
  token: string;
  /** The REST API root: https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server. */
  baseUrl: string;
  userAgent: string;
  log: Logger;
}

export function octokitForToken(options: TokenOctokitOptions): GitHubOctokit {
  const { log } = options;
  return new Octokit({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    userAgent: options.userAgent,
    // Octokit logs every failed request as an error; the review reports the failures that matter
    // (a 404 for a missing configuration file is an answer, not a failure).
    log: {
      debug: (message: string) => log.debug(message),
      info: (message: string) => log.debug(message),
      warn: (message: string) => log.warn(message),
      error: (message: string) => log.debug(message),
    },
  });
}
