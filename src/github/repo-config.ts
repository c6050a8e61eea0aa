import { ConfigError } from "../errors.js";
import { DEFAULT_REPO_CONFIG, parseRepoConfigDocument, REPO_CONFIG_FILE, type RepoConfig } from "../config/repo-config.js";
import { callGitHub } from "./call.js";
import type { GitHubOctokit } from "./octokit.js";

/** Where the configuration came from: the repository's own file, the organisation's, or none. */
export type RepoConfigOrigin = "repository" | "organisation" | "default";

/**
 * The largest configuration read, in bytes. A real one is a few KiB; YAML is parsed on the event
 * loop, and a 12 MB file stalled every tenant for about 10 s.
 */
export const MAX_REPO_CONFIG_BYTES = 64 * 1024;

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
    const file = await readConfigFile(octokit, owner, place);
    if (file === undefined) continue;
    const source = `${owner}/${place}:${REPO_CONFIG_FILE}`;
    const { config, data } = parsedOnce(file, source);
    return { config, source, origin: place === repo ? "repository" : "organisation", data };
  }
  return { config: DEFAULT_REPO_CONFIG, source: undefined, origin: "default", data: undefined };
}

/** A configuration file as GitHub's GraphQL API gives a blob (see graphql-review-context.ts). */
export interface ConfigBlobText {
  oid: string;
  byteSize: number;
  isBinary: boolean | null;
  isTruncated: boolean;
  text: string | null;
}

/**
 * The same choice as loadRepoConfig, from the files the review's first GraphQL query read of the
 * default branch: the repository's, else the organisation's `.github` repository's, else the defaults.
 */
export function repoConfigFromBlobs(
  owner: string,
  repo: string,
  blobs: { repository: ConfigBlobText | undefined; organisation: ConfigBlobText | undefined },
): LoadedRepoConfig {
  const places: Array<[string, ConfigBlobText | undefined, RepoConfigOrigin]> =
    repo === ".github"
      ? [[repo, blobs.repository, "repository"]]
      : [
          [repo, blobs.repository, "repository"],
          [".github", blobs.organisation, "organisation"],
        ];
  for (const [place, blob, origin] of places) {
    if (blob === undefined) continue;
    const source = `${owner}/${place}:${REPO_CONFIG_FILE}`;
    if (blob.byteSize > MAX_REPO_CONFIG_BYTES) throw tooLarge(source, blob.byteSize);
    if (blob.text === null || blob.isTruncated || blob.isBinary === true) throw new ConfigError(`${source}: GitHub did not send the file's text`);
    if (Buffer.byteLength(blob.text) > MAX_REPO_CONFIG_BYTES) throw tooLarge(source, Buffer.byteLength(blob.text));
    const { config, data } = parsedOnce({ text: blob.text, sha: blob.oid }, source);
    return { config, source, origin, data };
  }
  return { config: DEFAULT_REPO_CONFIG, source: undefined, origin: "default", data: undefined };
}

/** Parsed configurations (or their errors) by blob: the same file is parsed once, whatever the traffic. */
const PARSED_BY_BLOB = new Map<string, { config: RepoConfig; data: unknown } | ConfigError>();
/** A few hundred KiB at most: a blob's entry is its parsed form, and files are at most 64 KiB. */
export const PARSED_CONFIG_CACHE_ENTRIES = 256;

/**
 * Parses the file unless this blob (its git object id, which names its content) was parsed for
 * this source before. YAML is parsed on the event loop; commands and pushes read the same file
 * again and again, so each blob costs one parse.
 */
function parsedOnce(file: { text: string; sha: string }, source: string): { config: RepoConfig; data: unknown } {
  const key = `${file.sha}\n${source}`;
  let parsed = PARSED_BY_BLOB.get(key);
  if (parsed === undefined) {
    try {
      parsed = parseRepoConfigDocument(file.text, source);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      parsed = error;
    }
    if (PARSED_BY_BLOB.size >= PARSED_CONFIG_CACHE_ENTRIES) PARSED_BY_BLOB.delete(PARSED_BY_BLOB.keys().next().value ?? "");
  } else {
    PARSED_BY_BLOB.delete(key); // most recently used last
  }
  PARSED_BY_BLOB.set(key, parsed);
  if (parsed instanceof ConfigError) throw parsed;
  return parsed;
}

/**
 * The file's text, asked in the JSON media type: GitHub states the file's `size` there, so an
 * oversized file is refused before its content is decoded or parsed (and above 1 MB GitHub leaves
 * the content out of that answer, so it is never downloaded either).
 */
async function readConfigFile(octokit: GitHubOctokit, owner: string, repo: string): Promise<{ text: string; sha: string } | undefined> {
  const response = await callGitHub({ kind: "read", doing: `reading ${REPO_CONFIG_FILE}`, notFound: "absent" }, () =>
    octokit.rest.repos.getContent({ owner, repo, path: REPO_CONFIG_FILE }),
  );
  if (response === undefined) return undefined;
  const where = `${owner}/${repo}:${REPO_CONFIG_FILE}`;
  const data = response.data;
  if (Array.isArray(data) || data.type !== "file") throw new ConfigError(`${where} is not a file`);
  if (data.size > MAX_REPO_CONFIG_BYTES) throw tooLarge(where, data.size);
  if (!("content" in data) || typeof data.content !== "string" || data.encoding !== "base64") {
    throw new ConfigError(`${where}: GitHub did not send the file's content`);
  }
  const bytes = Buffer.from(data.content, "base64");
  // The stated size is GitHub's; the decoded bytes are checked too, whatever it said.
  if (bytes.length > MAX_REPO_CONFIG_BYTES) throw tooLarge(where, bytes.length);
  return { text: new TextDecoder().decode(bytes), sha: data.sha };
}

function tooLarge(where: string, size: number): ConfigError {
  return new ConfigError(`${where} is ${size} bytes; the configuration may be at most ${MAX_REPO_CONFIG_BYTES} bytes (64 KiB), so it was not read`);
}
