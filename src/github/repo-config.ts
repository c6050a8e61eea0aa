import { ConfigError } from "../errors.js";
import { DEFAULT_REPO_CONFIG, parseRepoConfigDocument, REPO_CONFIG_FILE, type RepoConfig } from "../config/repo-config.js";
import { callGitHub } from "./call.js";
import { rawText } from "./raw-content.js";
import type { GitHubOctokit } from "./octokit.js";

/** Where the configuration came from: the repository's own file, the organisation's, or none. */
export type RepoConfigOrigin = "repository" | "organisation" | "default";

export interface LoadedRepoConfig {
  config: RepoConfig;
  /** `owner/repo:.github/data-engineer.yml` of the file read; undefined with the defaults. */
  source: string | undefined;
  origin: RepoConfigOrigin;
  /** The file's data as written, before defaults (undefined with the defaults). */
  data: unknown;
}

/**
 * Reads `.github/data-engineer.yml` from the repository's default branch (the contents API without
 * a ref), else from the organisation's `.github` repository, else the defaults. Never from the pull
 * request's branch: a pull request must not be able to switch its own checks off.
 */
export async function loadRepoConfig(octokit: GitHubOctokit, owner: string, repo: string): Promise<LoadedRepoConfig> {
  const places = repo === ".github" ? [repo] : [repo, ".github"];
  for (const place of places) {
    const text = await readConfigFile(octokit, owner, place);
    if (text === undefined) continue;
    const source = `${owner}/${place}:${REPO_CONFIG_FILE}`;
    const { config, data } = parseRepoConfigDocument(text, source);
    return { config, source, origin: place === repo ? "repository" : "organisation", data };
  }
  return { config: DEFAULT_REPO_CONFIG, source: undefined, origin: "default", data: undefined };
}

async function readConfigFile(octokit: GitHubOctokit, owner: string, repo: string): Promise<string | undefined> {
  const response = await callGitHub({ kind: "read", doing: `reading ${REPO_CONFIG_FILE}`, notFound: "absent" }, () =>
    octokit.rest.repos.getContent({ owner, repo, path: REPO_CONFIG_FILE, mediaType: { format: "raw" } }),
  );
  if (response === undefined) return undefined;
  const text = rawText(response.data);
  if (text !== undefined) return text;
  throw new ConfigError(`${owner}/${repo}:${REPO_CONFIG_FILE} is not a file`);
}
