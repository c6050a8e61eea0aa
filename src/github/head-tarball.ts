import type { Octokit } from "@octokit/rest";
import { GitHubApiError } from "../errors.js";
import { callGitHub } from "./call.js";

/**
 * A commit's gzipped tarball, streamed. GitHub answers the API request with a redirect to
 * codeload.github.com, which fetch follows (dropping the Authorization header, the URL carries
 * a short-lived token for private repositories); the body is never buffered.
 */

export interface TarballRef {
  owner: string;
  repo: string;
  /** A commit SHA, branch or tag. */
  ref: string;
  signal?: AbortSignal;
}

function isByteStream(data: unknown): data is ReadableStream<Uint8Array> {
  return typeof data === "object" && data !== null && typeof (data as { getReader?: unknown }).getReader === "function";
}

export async function downloadTarball(octokit: Pick<Octokit, "rest">, { owner, repo, ref, signal }: TarballRef): Promise<AsyncIterable<Uint8Array>> {
  const response = await callGitHub(
    {
      kind: "read",
      doing: `downloading the archive of ${owner}/${repo} at ${ref}`,
      notFound: { error: `the head commit's archive is not available (GitHub answered 404 for ${owner}/${repo} at ${ref})` },
    },
    () =>
      octokit.rest.repos.downloadTarballArchive({
        owner,
        repo,
        ref,
        request: { parseSuccessResponseBody: false, ...(signal ? { signal } : {}) },
      }),
  );
  const data: unknown = response.data;
  if (!isByteStream(data)) {
    throw new GitHubApiError(`GitHub answered HTTP ${response.status} without an archive while downloading ${owner}/${repo} at ${ref}`, response.status);
  }
  return data;
}
