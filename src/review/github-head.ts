import { workspaceFromGitHub } from "../agent/workspace/sources.js";
import type { PullRequestClient } from "../github/pull-request-client.js";
import type { Head } from "./head.js";

/**
 * The head commit as the app reads it: folders and files by GraphQL, read ahead in one query
 * (the contents API for a large file), and the whole tree from the commit's tarball. Only the client calls GitHub; this adapts it.
 */
export function headOnGitHub(client: PullRequestClient): Head {
  return {
    prefetch: (folders, files) => client.prefetchHead(folders, files),
    listFolder: (folder) => client.listFolder(folder),
    readFile: (path) => client.readFile(path),
    openWorkspace: (signal) => workspaceFromGitHub(client, undefined, signal),
  };
}
