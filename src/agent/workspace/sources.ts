import { GitHubApiError, UserInputError, errorMessage } from "../../errors.js";
import type { LocalRepo } from "../../git/local-repo.js";
import { ArchiveError, extractArchive, type Workspace, type WorkspaceLimits } from "./extract.js";

/**
 * The two places a workspace comes from: the pull request's head commit on GitHub (its tarball)
 * and a ref of a local repository (`git archive`). Both go through the same extractor, caps and
 * rules for links.
 */

/** What a workspace needs of the GitHub client: the head commit's gzipped tarball, streamed. */
export interface HeadTarballSource {
  headTarball(signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
}

/** The pull request's head commit, unpacked (GitHub's tarball has one top-level folder). */
export async function workspaceFromGitHub(client: HeadTarballSource, limits?: Partial<WorkspaceLimits>, signal?: AbortSignal): Promise<Workspace> {
  const archive = await client.headTarball(signal);
  try {
    return await extractArchive(archive, { gzip: true, stripComponents: 1, limits, signal });
  } catch (error) {
    if (!(error instanceof ArchiveError)) throw error;
    throw new GitHubApiError(`the head commit's archive could not be read: ${withoutPrefix(error)}`, undefined, { cause: error });
  }
}

/** A ref of a local repository, unpacked. */
export async function workspaceFromGit(repo: LocalRepo, ref: string, limits?: Partial<WorkspaceLimits>, signal?: AbortSignal): Promise<Workspace> {
  try {
    return await extractArchive(repo.archive(ref), { gzip: false, stripComponents: 0, limits, signal });
  } catch (error) {
    if (!(error instanceof ArchiveError)) throw error;
    throw new UserInputError(`git archive ${ref} could not be read: ${withoutPrefix(error)}`, { cause: error });
  }
}

function withoutPrefix(error: ArchiveError): string {
  return error.cause === undefined ? error.message : errorMessage(error.cause);
}
