import type { Workspace } from "../agent/workspace/extract.js";
import type { FolderEntry } from "./gather-plan.js";

/**
 * The head commit a review reads, whoever holds it: the one port of the review pipeline. Three
 * implementations: GitHub's API for the app (review/github-head.ts), the checkout of a CI job
 * (ci/checkout-head.ts) and a commit of a local git repository (review/git-head.ts).
 */
export interface Head {
  /** A folder's entries at the head commit; none when the folder is not there. */
  listFolder(folder: string): Promise<FolderEntry[]>;
  /**
   * Reads these folders and files ahead, in as few requests as the head allows (GitHub: one
   * GraphQL query), so that the listFolder and readFile calls that follow answer from memory.
   * A path that is not there is no error. Heads on disk need none.
   */
  prefetch?(folders: readonly string[], files: readonly string[]): Promise<void>;
  /** A file's text at the head commit, or undefined when it is not there. */
  readFile(path: string): Promise<string | undefined>;
  /** The whole tree unpacked on disk (for the replay's folders and the agent's tools); the caller disposes of it. */
  openWorkspace(signal?: AbortSignal): Promise<Workspace>;
}
