import type { Logger } from "pino";
import { withWorkspace } from "../agent/workspace/extract.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { SourceFile } from "../migrations/model.js";
import type { RelevantFile } from "../migrations/relevant-files.js";
import { readFolders } from "../replay/folder-files.js";
import { replayPullRequest } from "../replay/for-pull-request.js";
import type { ReplayOutcome } from "../replay/replay-migrations.js";
import type { ReplayRunner } from "../replay/verify.js";
import { pathologicalNesting } from "../sql/comment-nesting.js";
import { changedPaths } from "./detect.js";
import type { Head } from "./head.js";

export interface VerifyInput {
  /** The migration files gathered at the head commit. */
  files: readonly SourceFile[];
  relevant: readonly RelevantFile[];
  config: RepoConfig;
  head: Head;
  /** The replay this process runs; absent, a repository that asks for it is told it did not run. */
  runner: ReplayRunner | undefined;
  log: Logger;
  signal?: AbortSignal;
  /** Whose replay this is, for the fair share of replay slots between installations. */
  installationId?: number;
}

const NOT_REPLAYED: ReplayOutcome = {
  status: "skipped",
  findings: [],
  migrations: [],
  baseMigrations: 0,
  fromCache: false,
  locks: { compared: 0, stronger: [] },
  durationMs: 0,
};

/**
 * Step 4 of the review, when the repository enables `replay`: the pull request's migrations
 * replayed in a real Postgres over their folders' history, read whole from the head commit's
 * tree. Undefined when the repository does not ask for it, or nothing relevant changed.
 */
export async function verify(input: VerifyInput): Promise<ReplayOutcome | undefined> {
  if (!input.config.replay.enabled || input.relevant.length === 0) return undefined;
  if (!input.runner) return { ...NOT_REPLAYED, reason: "this server does not replay migrations" };
  const { head, signal } = input;
  return replayPullRequest({
    gathered: input.files,
    changed: changedPaths(input.relevant),
    config: input.config,
    readTree: (folders) =>
      withWorkspace(
        () => head.openWorkspace(signal),
        async (workspace) => {
          const files = await readFolders(workspace.root, folders);
          // The replay's analysis of the folders (in the server's analysis pool, else on this
          // thread) would spend its whole deadline on a file of pathological comment nesting:
          // the cheap pre-scan refuses it first, and the replay does not run (it says why).
          for (const file of files) {
            const why = pathologicalNesting(file.text);
            if (why) throw new Error(`${file.path}: ${why}`);
          }
          return files;
        },
      ),
    runner: input.runner,
    log: input.log,
    ...(signal ? { signal } : {}),
    ...(input.installationId !== undefined ? { installationId: input.installationId } : {}),
  });
}
