import type { Logger } from "pino";
import type { RepoConfig } from "../config/repo-config.js";
import { errorMessage } from "../errors.js";
import { detectMigrations } from "../migrations/detect.js";
import type { SourceFile } from "../migrations/model.js";
import { isReplayable, type ReplayOutcome } from "./replay-migrations.js";
import type { ReplayRunner } from "./verify.js";

/**
 * The replay step of a pull request's review: from the migration files the review gathered, the
 * folders whose history must be replayed; their whole content is read from the head commit's
 * tree (the head tarball on the server, the checkout in CI), and the runner replays them with
 * the pull request's migrations checked. Whatever goes wrong here is an outcome with a reason,
 * never an exception: the review posts without the replay.
 */

export interface PullRequestReplayInput {
  /** The migration files the review gathered at the head commit (changed ones and their counterparts). */
  gathered: readonly SourceFile[];
  /** Paths the pull request adds or modifies. */
  changed: ReadonlySet<string>;
  config: RepoConfig;
  /** Every file under these repository-relative folders at the head commit. */
  readTree(folders: readonly string[]): Promise<SourceFile[]>;
  runner: ReplayRunner;
  log?: Logger;
  signal?: AbortSignal;
  /** The GitHub App installation the pull request belongs to: replay slots are shared fairly between installations. */
  installationId?: number;
}

export async function replayPullRequest(input: PullRequestReplayInput): Promise<ReplayOutcome> {
  const started = performance.now();
  const migrations = detectMigrations(input.gathered, { framework: input.config.framework, dialects: input.config.dialects });
  const folders = [...new Set(migrations.filter((m) => isReplayable(m) && m.files.some((p) => input.changed.has(p))).map((m) => m.folder))];
  if (folders.length === 0) return outcome("skipped", "no plain-SQL migration of the pull request to replay", started);
  let files: SourceFile[];
  try {
    files = await input.readTree(folders);
  } catch (error) {
    input.log?.warn({ err: error }, "replay: could not read the migration folders");
    return outcome("unavailable", `the migration folders could not be read at the head commit: ${errorMessage(error)}`, started);
  }
  try {
    const result = await input.runner.run(
      { files, changed: input.changed, config: input.config },
      {
        ...(input.log ? { log: input.log } : {}),
        ...(input.signal ? { signal: input.signal } : {}),
        ...(input.installationId === undefined ? {} : { installationId: input.installationId }),
      },
    );
    input.log?.info(
      {
        status: result.status,
        reason: result.reason,
        migrations: result.migrations.length,
        findings: result.findings.length,
        fromCache: result.fromCache,
        ms: result.durationMs,
      },
      "replay finished",
    );
    return result;
  } catch (error) {
    input.signal?.throwIfAborted();
    input.log?.error({ err: error }, "replay failed");
    return outcome("unavailable", `the replay failed: ${errorMessage(error)}`, started);
  }
}

function outcome(status: ReplayOutcome["status"], reason: string, started: number): ReplayOutcome {
  return {
    status,
    reason,
    findings: [],
    migrations: [],
    baseMigrations: 0,
    fromCache: false,
    locks: { compared: 0, stronger: [] },
    durationMs: Math.round(performance.now() - started),
  };
}
