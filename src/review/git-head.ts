import type { LocalRepo } from "../git/local-repo.js";

/**
 * A commit of a local git repository as the review reads a head commit (the review's `Head`
 * port, met by shape). Listings and texts
 * come from the commit (`git ls-tree`, `git show`), never from the working tree, which may hold
 * changes that are not committed; the tree is unpacked with `git archive`. The unpacking's
 * modules (tar, zlib, streams) are imported when a workspace is opened: only the replay and the
 * agent open one, and a review without them should not load them.
 */
export function headAtCommit(repo: LocalRepo, commit: string) {
  return {
    listFolder: (folder: string) => repo.listFolder(commit, folder),
    readFile: (path: string) => repo.readFile(commit, path),
    openWorkspace: async (signal?: AbortSignal) => (await import("../agent/workspace/sources.js")).workspaceFromGit(repo, commit, undefined, signal),
  };
}
