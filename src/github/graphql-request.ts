import { GitHubApiError } from "../errors.js";
import { callGitHub } from "./call.js";
import type { GitHubOctokit } from "./octokit.js";

/**
 * One GraphQL query to GitHub, through `callGitHub` like every other request (a read: Octokit's
 * retry plugin may resend it, the job is retried as a whole on a 5xx). GitHub answers a GraphQL
 * request HTTP 200 even when it failed, with an `errors` list and whatever `data` it could
 * resolve; @octokit/graphql throws those as a GraphqlResponseError. Here they become a
 * GitHubApiError that names what we were doing and GitHub's messages, so the check run says why;
 * errors GitHub gives for its own trouble (a timeout, "Something went wrong") carry status 502,
 * so the job is tried again, like a 5xx; anything else fails at once (retrying a malformed query
 * or a missing repository fails the same way).
 *
 * `acceptNotFound` names the aliases whose NOT_FOUND error is an answer ("there is no such
 * repository"): the organisation's `.github` repository, which may rightly not exist. The rest of
 * the data is kept then.
 */

export interface GraphQLError {
  type?: string;
  message: string;
  path?: ReadonlyArray<string | number>;
}

interface GraphqlResponseErrorLike {
  errors: GraphQLError[];
  data: unknown;
}

function isGraphqlResponseError(error: unknown): error is GraphqlResponseErrorLike {
  return error instanceof Error && Array.isArray((error as { errors?: unknown }).errors) && "data" in error;
}

/** GitHub's own trouble rather than the query's: worth another attempt of the job. */
function githubTrouble(error: GraphQLError): boolean {
  return error.type === "RATE_LIMITED" || error.type === "SERVICE_UNAVAILABLE" || /timeout|timed out|something went wrong/i.test(error.message);
}

export interface GraphQLQuery {
  /** What we were doing, for the error: "reading the pull request and its configuration". */
  doing: string;
  query: string;
  variables: Record<string, unknown>;
  /** Top-level aliases whose NOT_FOUND error means "absent" (their data is null). */
  acceptNotFound?: readonly string[];
}

export async function graphqlQuery<T>(octokit: GitHubOctokit, request: GraphQLQuery): Promise<T> {
  return callGitHub({ kind: "read", doing: request.doing }, async () => {
    try {
      return await octokit.graphql<T>(request.query, request.variables);
    } catch (error) {
      if (!isGraphqlResponseError(error)) throw error;
      const accepted = new Set(request.acceptNotFound ?? []);
      const remaining = error.errors.filter((e) => !(e.type === "NOT_FOUND" && typeof e.path?.[0] === "string" && accepted.has(e.path[0])));
      if (remaining.length === 0 && error.data !== null && typeof error.data === "object") return error.data as T;
      const messages = remaining.map((e) => `${e.message}${e.path ? ` (at ${e.path.join(".")})` : ""}`).join("; ");
      throw new GitHubApiError(
        `GitHub's GraphQL API answered with errors while ${request.doing}: ${messages}`,
        remaining.some(githubTrouble) ? 502 : undefined,
        {
          cause: error,
        },
      );
    }
  });
}
