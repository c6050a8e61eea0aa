import { ConfigError } from "../errors.js";
import { DEFAULT_REPO_CONFIG, parseRepoConfigText, REPO_CONFIG_FILE, type RepoConfig } from "../config/repo-config.js";
import { describeGitHubFailure } from "./errors.js";
import { rawText } from "./raw-content.js";
import type { GitHubOctokit } from "./pull-request-client.js";

/**
 * Reads `.github/data-engineer.yml` from the repository's default branch (the contents API without
 * a ref), else from the organisation's `.github` repository, else the defaults. Never from the pull
 * request's branch: a pull request must not be able to switch its own checks off.
 */
export async function loadRepoConfig(octokit: GitHubOctokit, owner: string, repo: string): Promise<{ config: RepoConfig; source: string | undefined }> {
  const places = repo === ".github" ? [repo] : [repo, ".github"];
  for (const place of places) {
    const text = await readConfigFile(octokit, owner, place);
    if (text === undefined) continue;
    const source = `${owner}/${place}:${REPO_CONFIG_FILE}`;
    return { config: parseRepoConfigText(text, source), source };
  }
  return { config: DEFAULT_REPO_CONFIG, source: undefined };
}

async function readConfigFile(octokit: GitHubOctokit, owner: string, repo: string): Promise<string | undefined> {
  try {
    const response = await octokit.rest.repos.getContent({ owner, repo, path: REPO_CONFIG_FILE, mediaType: { format: "raw" } });
    const text = rawText(response.data);
    if (text !== undefined) return text;
    throw new ConfigError(`${owner}/${repo}:${REPO_CONFIG_FILE} is not a file`);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    if ((error as { status?: number }).status === 404) return undefined;
    throw describeGitHubFailure(error, `reading ${REPO_CONFIG_FILE}`);
  }
}
