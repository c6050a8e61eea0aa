import type { Octokit } from "@octokit/rest";

/**
 * What the app needs of an Octokit: Probot's and @octokit/rest's clients both fit. Every module
 * of src/github/ takes this type, so it lives in a module that imports nothing of ours (when it
 * lived in pull-request-client.ts, commit-status.ts and repo-config.ts imported that file back
 * and the three formed an import circle).
 */
export type GitHubOctokit = Pick<Octokit, "rest" | "paginate" | "graphql">;
