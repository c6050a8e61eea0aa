import type { Logger } from "pino";
import type { AgentOutcome, AgentRuntime } from "../agent/agent-review.js";
import type { PullRequestText } from "../agent/review-task.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { ChangedFile, RelevantFile } from "../migrations/relevant-files.js";
import type { FileListing } from "../report/check-output.js";
import type { ReplayOutcome } from "../replay/replay-migrations.js";
import type { ReplayRunner } from "../replay/verify.js";
import { analyse } from "./analyse.js";
import { composeReview, ownFindings, type BuiltReview } from "./compose.js";
import { detectChanges } from "./detect.js";
import { gatherMigrationFiles } from "./gather.js";
import type { Head } from "./head.js";

/**
 * The review of one head commit, the same for the app, `data-engineer review --github` and the
 * local `data-engineer review`; they differ only in where the head is read (the `Head` they
 * pass) and in what they do with the review (post it, print it). Publishing is the caller's.
 */

export interface HeadCommitReviewInput {
  /** Where the head commit's files are read. */
  head: Head;
  headSha: string;
  /** The changed migration and SQL files, with their patches. */
  relevant: readonly RelevantFile[];
  /** Every file the change touches (the agent sees their names; its findings may sit on them). */
  changed: readonly ChangedFile[];
  listing: FileListing;
  config: RepoConfig;
  /** Fingerprints of findings posted by earlier reviews: not posted again. */
  posted: ReadonlySet<string>;
  /** The pull request's text, for the agent. */
  pr: PullRequestText;
  /** The data-engineer agent, when this process has a model key. */
  agent?: AgentRuntime;
  /** Replays the migrations in a real Postgres when the repository enables `replay`. */
  replay?: ReplayRunner;
  /** Whose replay this is, for the fair share of replay slots between installations. */
  installationId?: number;
  log: Logger;
  /** Aborted when the review is superseded or the process stops: no later step runs. */
  signal?: AbortSignal;
  /**
   * The changed files' diffs by path, when `relevant` and `changed` came without them (GitHub's
   * GraphQL lists files without patches): asked only when there are findings to anchor to diff
   * lines or an agent to read them, so a clean review costs no request for them.
   */
  patches?: () => Promise<ReadonlyMap<string, string | undefined>>;
}

export interface HeadCommitReview {
  review: BuiltReview;
  replay?: ReplayOutcome;
  agent?: AgentOutcome;
}

export async function reviewHeadCommit(input: HeadCommitReviewInput): Promise<HeadCommitReview> {
  const { head, config, log, signal } = input;
  let { relevant, changed } = input;

  // 1. Gather: the changed migrations and their up/down counterparts, read at the head commit.
  const gathered = await gatherMigrationFiles(head, relevant);
  log.debug({ files: gathered.files.length, notReviewed: gathered.notReviewed.length }, "gathered migration files");
  signal?.throwIfAborted();

  // 2. Detect: which files form the pull request's migrations, of which framework, with which
  // sections; files of another SQL dialect are listed as not reviewed.
  const { migrations, otherDialect } = detectChanges(gathered.files, relevant, config);
  const notReviewed = [...gathered.notReviewed, ...otherDialect];

  // 3. Analyse, once: statements, locks, rules, findings; off the event loop in the server. A
  // migration over the analysis's time or memory limit is listed as not reviewed (refused).
  const analysis = await analyse(gathered.files, migrations, config);
  notReviewed.push(...analysis.notReviewed);

  // 4. Verify: replay in a real Postgres, when the repository enables it. The replay's modules (and
  // the agent's, below) are imported only when they run: most reviews need neither, and loading
  // them was most of a warm local review's CPU.
  const replay =
    !config.replay.enabled || relevant.length === 0
      ? undefined
      : await (
          await import("./verify.js")
        ).verify({
          files: gathered.files,
          relevant,
          config,
          head,
          runner: input.replay,
          log,
          ...(signal ? { signal } : {}),
          ...(input.installationId !== undefined ? { installationId: input.installationId } : {}),
        });
  signal?.throwIfAborted();

  // The diffs, read only now and only when something needs them: findings to anchor, an agent.
  if (input.patches && (input.agent !== undefined || ownFindings(analysis, replay, relevant).length > 0)) {
    const patches = await input.patches();
    relevant = relevant.map((file) => ({ ...file, patch: patches.get(file.path) ?? file.patch }));
    changed = changed.map((file) => ({ ...file, patch: patches.get(file.path) ?? file.patch }));
    signal?.throwIfAborted();
  }

  // 5. Agent: the data-engineer agent reads the tree with the findings in hand, when there is one.
  const agent = !input.agent
    ? undefined
    : await (
        await import("./consult-agent.js")
      ).consultAgent({
        runtime: input.agent,
        config,
        pr: input.pr,
        relevant,
        changed,
        findings: ownFindings(analysis, replay, relevant),
        notReviewed,
        analysis,
        head,
        log,
        ...(signal ? { signal } : {}),
      });
  signal?.throwIfAborted();

  // 6. Compose (pure): the review body, the inline comments and the check's verdict.
  const review = composeReview({
    gathered: { files: gathered.files, notReviewed },
    analysis,
    ...(replay ? { replay } : {}),
    ...(agent ? { agent } : {}),
    relevant,
    changed,
    config,
    posted: input.posted,
    listing: input.listing,
    headSha: input.headSha,
  });
  return { review, ...(replay ? { replay } : {}), ...(agent ? { agent } : {}) };
}
