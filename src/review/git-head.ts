import { workspaceFromGit } from "../agent/workspace/sources.js";
import type { LocalRepo } from "../git/local-repo.js";

/**
 * A commit of a local git repository as the review reads a head commit (the review's `Head`
 * port, met by shape). Listings and texts
 * come from the commit (`git ls-tree`, `git show`), never from the working tree, which may hold
 * changes that are not committed; the tree is unpacked with `git archive`.
 */
export function headAtCommit(repo: LocalRepo, commit: string) {
  return {
    listFolder: (folder: string) => repo.listFolder(commit, folder),
    readFile: (path: string) => repo.readFile(commit, path),
    openWorkspace: (signal?: AbortSignal) => workspaceFromGit(repo, commit, undefined, signal),
  };
}
