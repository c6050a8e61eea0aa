import type { Logger } from "pino";
import type { RepoConfig } from "../config/repo-config.js";
import type { PullRequestClient } from "../github/pull-request-client.js";
import type { SourceFile } from "../migrations/model.js";
import type { RelevantFile } from "../migrations/relevant-files.js";
import type { CheckAnnotation } from "../report/check-verdict.js";
import type { CheckResult, FileListing } from "../report/check-output.js";
import { buildReview } from "./build-review.js";
import { loadSqlParser } from "../sql/parse.js";
import { MAX_REVIEWED_FILE_BYTES, filesToRead, foldersToList, type FolderEntry } from "./gather-plan.js";

/**
 * The review of a pull request's migrations: read them (and their up/down counterparts) at the
 * head commit, analyse them, post one review with inline comments where GitHub accepts them, and
 * give the check run's verdict. A finding already posted is not posted again; a head that moved
 * meanwhile posts nothing (a newer event reviews the newer commit).
 */

export interface MigrationReviewInput {
  client: PullRequestClient;
  relevant: readonly RelevantFile[];
  config: RepoConfig;
  listing: FileListing;
  log: Logger;
}

export interface MigrationReviewOutcome {
  result: CheckResult;
  annotations: CheckAnnotation[][];
  reviewId?: number;
}

export async function reviewMigrations(input: MigrationReviewInput): Promise<MigrationReviewOutcome> {
  const { client, config, log } = input;
  const notReviewed: Array<{ path: string; reason: string }> = [];
  for (const file of input.relevant) if (file.status === "removed") notReviewed.push({ path: file.path, reason: "deleted by this pull request" });
  const changed = input.relevant.filter((f) => f.status !== "removed").map((f) => f.path);
  const changedSet = new Set(changed);

  // Gather: folder listings, then the files the analysis needs.
  const listings = new Map<string, FolderEntry[]>();
  for (const folder of foldersToList(changed)) listings.set(folder, await client.listFolder(folder));
  const sizes = new Map([...listings.values()].flat().map((e) => [e.path, e.size]));
  const files: SourceFile[] = [];
  for (const path of filesToRead(changed, listings)) {
    if ((sizes.get(path) ?? 0) > MAX_REVIEWED_FILE_BYTES) {
      if (changedSet.has(path)) notReviewed.push({ path, reason: `larger than ${MAX_REVIEWED_FILE_BYTES / 1024 / 1024} MiB` });
      continue;
    }
    const text = await client.readFile(path);
    if (text === undefined) {
      if (changedSet.has(path)) notReviewed.push({ path, reason: "could not be read at the head commit" });
      continue;
    }
    files.push({ path, text });
  }
  log.debug({ folders: listings.size, files: files.length }, "gathered migration files");

  // Analyse and place the findings.
  await loadSqlParser();
  const posted = await client.postedFingerprints();
  const review = buildReview({ files, relevant: input.relevant, config, posted, notReviewed, listing: input.listing, headSha: client.pr.headSha });
  const { check: result, annotations } = review;

  // Post nothing for a commit that is no longer the head: its review would be stale on arrival.
  const head = await client.currentHeadSha();
  if (head !== client.pr.headSha) {
    log.info({ head }, "head moved while reviewing; nothing posted");
    return {
      result: {
        conclusion: "neutral",
        output: { title: "Superseded by a newer commit", summary: `The pull request moved to ${head.slice(0, 7)} while this commit was reviewed; that commit gets its own review.` },
      },
      annotations: [],
    };
  }

  if (!review.worthPosting) {
    log.info({ findings: review.findings.length }, "nothing new to post");
    return { result, annotations };
  }
  const posting = await client.postReview({
    event: review.event,
    body: review.body,
    comments: review.comments.map((c) => ({ path: c.path, line: c.line, ...(c.startLine !== undefined ? { startLine: c.startLine } : {}), body: c.body })),
    bodyIfRejected: review.bodyWithComments,
  });
  log.info({ reviewId: posting.id, inline: review.comments.length, commentsInBody: posting.commentsInBody, resolved: review.resolved }, "review posted");
  return { result, annotations, reviewId: posting.id };
}

