import type { RestEndpointMethodTypes } from "@octokit/rest";
import type { Logger } from "pino";
import type { ChangedFile } from "../migrations/relevant-files.js";
import { REREVIEW_ACTION, type CheckOutput, type CheckResult } from "../report/check-output.js";
import type { RepoConfig } from "../config/repo-config.js";
import { GitHubApiError } from "../errors.js";
import { commitStatusState, createCommitStatus, type CommitStatusState } from "./commit-status.js";
import { callGitHub } from "./call.js";
import { readCollaboratorPermission, type CollaboratorPermission } from "./collaborator-permission.js";
import { downloadTarball } from "./head-tarball.js";
import type { GitHubOctokit } from "./octokit.js";
import { markerSeal, markersIn, sealMarker, type MarkerSeal } from "../report/fingerprint.js";
import { markerKeyFromEnv } from "./marker-key.js";
import { reviewMarkerIn, sealReviewMarker } from "../report/review-marker.js";
import type { CheckAnnotation } from "../report/check-verdict.js";
import { rateLimitWait, type Clock, realClock } from "./rate-limit.js";
import { rawText } from "./raw-content.js";
import { loadRepoConfig, repoConfigFromBlobs } from "./repo-config.js";
import { readReviewContext, type AuthoredBody, type ReviewContext } from "./graphql-review-context.js";
import { readHeadFiles, type HeadBlob, type HeadFolderEntry } from "./graphql-head-files.js";

export type { HeadFolderEntry };
import { readLabelAppliers } from "./label-appliers.js";
import { listChangedFilesWithPatches } from "./changed-files.js";

type CreateCheckRunParams = RestEndpointMethodTypes["checks"]["create"]["parameters"];
type UpdateCheckRunParams = RestEndpointMethodTypes["checks"]["update"]["parameters"];

export interface PullRequestRef {
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
}

export interface ReviewComment {
  path: string;
  line: number;
  startLine?: number;
  body: string;
}

/** GitHub lists at most this many files of a pull request (documented for "List pull requests files"). */
export const PULL_REQUEST_FILE_LIST_LIMIT = 3000;

export interface PullRequestClientOptions {
  /**
   * Offer the "Re-review" button on completed check runs (default: offered). Only the app that
   * created a check run receives its clicks, so a workflow's check run goes without it.
   */
  rereviewButton?: boolean;
  /**
   * When GitHub refuses to create the check run (403: a workflow token without `checks: write`),
   * report a commit status of the same name on the head commit instead,
   * linking to `targetUrl`, and go on with the review. The app never needs it: its installation
   * may always create check runs.
   */
  commitStatusFallback?: {
    targetUrl?: string;
    /**
     * When the status is refused as well (a read-only token: a pull request from a fork), publish
     * nothing instead of failing: no check, no status, no review. The review is still built, and
     * the caller shows it (a CI job prints it in its log).
     */
    publishNothingWhenReadOnly?: boolean;
  };
  /**
   * The key that seals finding markers (see marker-key.ts); from the environment when absent.
   * The client keeps only the seal made from it, never the key.
   */
  markerKey?: Uint8Array;
  /**
   * The login this app's comments carry (`<slug>[bot]`): only its comments' markers are read.
   * When not given, it is learned from the app GitHub names on the check run this client creates
   * or adopts; while unknown, every bot's comments are read, and the seal alone tells ours.
   */
  ownLogin?: string;
  /** Where ambiguous writes are logged: a logger carrying the delivery id. */
  log?: Logger;
  /**
   * The longest rate-limit wait a write makes in place (five minutes by default). The app's jobs
   * give QUEUED_RATE_LIMIT_WAIT_MS: a longer wait fails the write with the time to try again, and
   * the job queue runs the job again then.
   */
  maxRateLimitWaitMs?: number;
}

/** A review's body as GitHub may give it back (line endings, trailing space), to recognise our own. */
function sameBody(a: string | null | undefined, b: string): boolean {
  const normal = (text: string) => text.replace(/\r\n/g, "\n").trim();
  return normal(a ?? "") === normal(b);
}

/** How a review reaches GitHub: a check run, a commit status where check runs are refused, or not at all. */
export type ReportChannel = "check run" | "commit status" | "nothing";

/**
 * What `startCheckRun` returns when it created no check run (check run ids are positive): it set
 * a commit status instead, or publishes nothing. `completeCheckRun` with it completes the status.
 */
export const NO_CHECK_RUN = 0;

/** GitHub refused for want of permission: a 403 that is not a rate limit. */
function refusedForPermission(error: unknown, now: number): boolean {
  if (!(error instanceof GitHubApiError) || error.status !== 403) return false;
  return rateLimitWait(error.cause ?? error, now) === undefined;
}

/** The GitHub calls of one pull request review. The only place that talks to GitHub for it. */
export class PullRequestClient {
  /** The status context set instead of a check run, once GitHub refused the check run. */
  private statusContext: string | undefined;
  private channel: ReportChannel = "check run";
  /** `ownLogin` is learned from the first check run this client creates, when not given. */
  private readonly options: Omit<PullRequestClientOptions, "markerKey" | "log">;
  private readonly log: Logger | undefined;
  private readonly markers: MarkerSeal;
  /** The review's first GraphQL query, read once (see graphql-review-context.ts). */
  private context: Promise<ReviewContext> | undefined;
  /** Folders and files of the head commit read by GraphQL so far (see graphql-head-files.ts). */
  private readonly headFolders = new Map<string, HeadFolderEntry[]>();
  private readonly headBlobs = new Map<string, HeadBlob | undefined>();
  private reviewedHead = false;

  constructor(
    private readonly octokit: GitHubOctokit,
    readonly pr: PullRequestRef,
    private readonly clock: Clock = realClock,
    options: PullRequestClientOptions = {},
  ) {
    const { markerKey, log, ...rest } = options;
    this.options = rest;
    this.log = log;
    this.markers = markerSeal(markerKey ?? markerKeyFromEnv().key, pr);
  }

  private waitLimit(): { maxRateLimitWaitMs?: number } {
    return this.options.maxRateLimitWaitMs === undefined ? {} : { maxRateLimitWaitMs: this.options.maxRateLimitWaitMs };
  }

  /** How the verdict reaches GitHub: a check run, a commit status where check runs were refused, or not at all. */
  get reportedAs(): ReportChannel {
    return this.channel;
  }

  /**
   * Creates the `name` check run on the head commit, in progress; returns its id. With the
   * commit status fallback, a refused check run becomes a pending status of the same name (or,
   * when that is refused too and allowed, nothing is published), and the id returned is NO_CHECK_RUN.
   */
  async startCheckRun(name: string, externalId: string, output: CheckOutput): Promise<number> {
    return this.createOrFallBack(name, "pending", output.title, () =>
      this.createCheckRun(name, externalId, { status: "in_progress", started_at: new Date().toISOString(), output }),
    );
  }

  /** `create`, or, when GitHub refuses it and the fallback allows, the commit status (or nothing). */
  private async createOrFallBack(name: string, state: CommitStatusState, description: string, create: () => Promise<number>): Promise<number> {
    try {
      return await create();
    } catch (error) {
      const fallback = this.options.commitStatusFallback;
      if (!fallback || !refusedForPermission(error, this.clock.now())) throw error;
      try {
        await this.setStatus(name, state, description);
      } catch (statusError) {
        if (!fallback.publishNothingWhenReadOnly || !refusedForPermission(statusError, this.clock.now())) throw statusError;
        this.channel = "nothing";
        return NO_CHECK_RUN;
      }
      this.statusContext = name;
      this.channel = "commit status";
      return NO_CHECK_RUN;
    }
  }

  /**
   * Creates the `name` check run on the head commit already completed with `result`: one write
   * where starting it in progress and completing it took two (issue 19 item 5). The first 50
   * annotations go with the creation, the rest in further updates (GitHub appends them). With the
   * commit status fallback, a refused check run becomes the final status (or nothing is published,
   * when that is refused too and allowed). Returns the run's id, or NO_CHECK_RUN.
   */
  async reportCheckRun(name: string, externalId: string, result: CheckResult, annotations: readonly CheckAnnotation[][] = []): Promise<number> {
    const [first = [], ...rest] = annotations;
    const id = await this.createOrFallBack(name, commitStatusState(result.conclusion), result.output.title, () =>
      this.createCheckRun(name, externalId, {
        status: "completed",
        conclusion: result.conclusion,
        completed_at: new Date().toISOString(),
        output: { ...result.output, ...(first.length > 0 ? { annotations: [...first] } : {}) },
        ...(this.options.rereviewButton === false ? {} : { actions: [{ ...REREVIEW_ACTION }] }),
      }),
    );
    if (id === NO_CHECK_RUN) return id;
    for (const batch of rest) {
      await callGitHub({ kind: "idempotent-write", doing: "adding the check run's annotations", clock: this.clock, ...this.waitLimit() }, () =>
        this.octokit.rest.checks.update({ owner: this.pr.owner, repo: this.pr.repo, check_run_id: id, output: { ...result.output, annotations: [...batch] } }),
      );
    }
    return id;
  }

  private async setStatus(context: string, state: CommitStatusState, description: string): Promise<void> {
    const targetUrl = this.options.commitStatusFallback?.targetUrl;
    try {
      await createCommitStatus(
        this.octokit,
        { owner: this.pr.owner, repo: this.pr.repo, sha: this.pr.headSha, context, state, description, ...(targetUrl ? { targetUrl } : {}) },
        this.clock,
      );
    } catch (error) {
      if (!refusedForPermission(error, this.clock.now())) throw error;
      throw new GitHubApiError(
        "GitHub refused both the check run and the commit status (HTTP 403): the token needs `checks: write` or `statuses: write` " +
          "(a pull request from a fork gets a read-only token)",
        403,
        { cause: error },
      );
    }
  }

  private async createCheckRun(
    name: string,
    externalId: string,
    state: Omit<CreateCheckRunParams, "owner" | "repo" | "name" | "head_sha" | "external_id">,
  ): Promise<number> {
    const created = await callGitHub(
      {
        kind: "create",
        doing: "creating the check run",
        clock: this.clock,
        ...this.waitLimit(),
        // A creation whose answer was lost may have made the run: ours by name, head and external id.
        readBack: () => this.findOwnCheckRun(name, externalId, "any"),
        ...(this.log ? { log: this.log } : {}),
      },
      async (options) => {
        const { data } = await this.octokit.rest.checks.create({
          owner: this.pr.owner,
          repo: this.pr.repo,
          name,
          head_sha: this.pr.headSha,
          external_id: externalId,
          ...state,
          ...options,
        });
        return { id: data.id, app: data.app };
      },
    );
    this.learnOwnLogin(created.app);
    return created.id;
  }

  /**
   * Our check run `name` on the head commit with `externalId`, whatever its status: a dead letter
   * reports on the one an earlier call of it completed with the failure, instead of adding one.
   */
  async findCheckRun(name: string, externalId: string): Promise<number | undefined> {
    return (await this.findOwnCheckRun(name, externalId, "any"))?.id;
  }

  /**
   * Our check run for the head commit that is still in progress (`external_id` equal to
   * `externalId`): one an earlier attempt of the same job created before its process stopped or
   * its attempt failed. Adopting it leaves no check run of ours in progress behind.
   */
  async findOpenCheckRun(name: string, externalId: string): Promise<number | undefined> {
    return (await this.findOwnCheckRun(name, externalId, "in progress"))?.id;
  }

  /**
   * Our check run `name` on the head commit with `externalId`. `any` status: an attempt whose
   * answer was lost created it in progress, another may have completed it since. `in progress`
   * only: a completed run of the same identity is an earlier review's verdict, which a re-run does
   * not take over. Listed with `filter: all`: another app's run of the same name and identity is
   * not ours (and nothing is learned from it: any app may name a run like ours).
   */
  private async findOwnCheckRun(
    name: string,
    externalId: string,
    status: "any" | "in progress",
  ): Promise<{ id: number; app: { slug?: string } | null } | undefined> {
    const doing = status === "any" ? "looking for a check run whose creation went unanswered" : "looking for the check run of an earlier attempt";
    const { data } = await callGitHub({ kind: "read", doing }, () =>
      this.octokit.rest.checks.listForRef({
        owner: this.pr.owner,
        repo: this.pr.repo,
        ref: this.pr.headSha,
        check_name: name,
        ...(status === "in progress" ? { status: "in_progress" as const } : {}),
        filter: "all",
        per_page: 100,
      }),
    );
    const run = data.check_runs.find(
      (candidate) =>
        candidate.external_id === externalId &&
        candidate.head_sha === this.pr.headSha &&
        (this.options.ownLogin === undefined || !candidate.app?.slug || `${candidate.app.slug}[bot]` === this.options.ownLogin),
    );
    return run ? { id: run.id, app: run.app ?? null } : undefined;
  }

  /**
   * The login of this app's bot: given, or learned from the app GitHub names on the check run this
   * client created (an installation token creates check runs only as its own app).
   */
  get ownLogin(): string | undefined {
    return this.options.ownLogin;
  }

  private learnOwnLogin(app: { slug?: string } | null | undefined): void {
    if (this.options.ownLogin === undefined && app?.slug) this.options.ownLogin = `${app.slug}[bot]`;
  }

  /**
   * Completes the check run. GitHub takes at most 50 annotations a request: the first batch goes
   * with the completion, the rest in further updates (GitHub appends them).
   */
  async completeCheckRun(checkRunId: number, result: CheckResult, annotations: readonly CheckAnnotation[][] = []): Promise<void> {
    if (checkRunId === NO_CHECK_RUN && this.channel !== "check run") {
      // A status has no output or annotations: its description is the check run's title.
      if (this.statusContext !== undefined) await this.setStatus(this.statusContext, commitStatusState(result.conclusion), result.output.title);
      return;
    }
    const update = (fields: Omit<UpdateCheckRunParams, "owner" | "repo" | "check_run_id">) =>
      callGitHub({ kind: "idempotent-write", doing: "completing the check run", clock: this.clock, ...this.waitLimit() }, () =>
        this.octokit.rest.checks.update({ owner: this.pr.owner, repo: this.pr.repo, check_run_id: checkRunId, ...fields }),
      );
    const [first = [], ...rest] = annotations;
    await update({
      status: "completed",
      conclusion: result.conclusion,
      completed_at: new Date().toISOString(),
      output: { ...result.output, ...(first.length > 0 ? { annotations: [...first] } : {}) },
      ...(this.options.rereviewButton === false ? {} : { actions: [{ ...REREVIEW_ACTION }] }),
    });
    for (const batch of rest) await update({ output: { ...result.output, annotations: [...batch] } });
  }

  /**
   * The pull request, its files, the configuration and earlier reviews, in one GraphQL query, read
   * once per client (a review's client lives for one job attempt).
   */
  reviewContext(): Promise<ReviewContext> {
    this.context ??= readReviewContext(this.octokit, this.pr).then((context) => {
      // The query's viewer is this app's bot when the token is an installation's: the login a
      // label applied by this app names, and the author of this app's comments.
      if (this.options.ownLogin === undefined && context.botLogin !== undefined) this.options.ownLogin = context.botLogin;
      return context;
    });
    return this.context;
  }

  /**
   * The pull request's head commit: as the review's first query read it, when it did (the issue's
   * "no separate head re-check": a newer push supersedes the job through its webhook), else now.
   */
  async currentHeadSha(): Promise<string> {
    if (this.context) return (await this.context).headSha;
    const { data } = await callGitHub({ kind: "read", doing: "reading the pull request's head" }, () =>
      this.octokit.rest.pulls.get({ owner: this.pr.owner, repo: this.pr.repo, pull_number: this.pr.pullNumber }),
    );
    return data.head.sha;
  }

  /**
   * Reads `folders` and `files` of the head commit in one GraphQL query, leaving out what was read
   * before; listFolder and readFile then answer from it. No request when everything is read.
   */
  async prefetchHead(folders: readonly string[], files: readonly string[]): Promise<void> {
    // Only a client that reads by GraphQL (its review read the context) reads ahead.
    if (!this.context) return;
    const newFolders = [...new Set(folders)].filter((f) => !this.headFolders.has(f));
    const newFiles = [...new Set(files)].filter((f) => !this.headBlobs.has(f));
    if (newFolders.length === 0 && newFiles.length === 0) return;
    const read = await readHeadFiles(this.octokit, { owner: this.pr.owner, repo: this.pr.repo, sha: this.pr.headSha }, newFolders, newFiles);
    for (const [folder, entries] of read.folders) this.headFolders.set(folder, entries);
    for (const [file, blob] of read.files) this.headBlobs.set(file, blob);
  }

  /**
   * A folder of the head commit; empty when it does not exist there. A client reading by GraphQL
   * gets every entry (a git tree); the contents API stops at 1,000 entries.
   */
  async listFolder(folder: string): Promise<HeadFolderEntry[]> {
    if (this.context) {
      await this.prefetchHead([folder], []);
      return this.headFolders.get(folder) ?? [];
    }
    const response = await callGitHub({ kind: "read", doing: `listing ${folder || "the repository root"} at the head commit`, notFound: "absent" }, () =>
      this.octokit.rest.repos.getContent({ owner: this.pr.owner, repo: this.pr.repo, path: folder, ref: this.pr.headSha }),
    );
    if (response === undefined || !Array.isArray(response.data)) return [];
    return response.data.map((entry) => ({ name: entry.name, path: entry.path, size: entry.size, type: entry.type }));
  }

  /** The head commit as a gzipped tarball, streamed (one top-level folder, see head-tarball.ts). */
  headTarball(signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    return downloadTarball(this.octokit, { owner: this.pr.owner, repo: this.pr.repo, ref: this.pr.headSha, signal });
  }

  /**
   * A file's text at the head commit, or undefined when it is not there. Read by GraphQL when a
   * prefetch asked for it; a file GraphQL gave without its whole text (a large one) and any file
   * not prefetched are read through the contents API.
   */
  async readFile(path: string): Promise<string | undefined> {
    if (this.headBlobs.has(path)) {
      const blob = this.headBlobs.get(path);
      if (blob === undefined) return undefined;
      if (blob.text !== undefined) return blob.text;
    }
    const response = await callGitHub({ kind: "read", doing: `reading ${path} at the head commit`, notFound: "absent" }, () =>
      this.octokit.rest.repos.getContent({ owner: this.pr.owner, repo: this.pr.repo, path, ref: this.pr.headSha, mediaType: { format: "raw" } }),
    );
    return response === undefined ? undefined : rawText(response.data);
  }

  /**
   * Whether `postedFingerprints` found a review of this app on the head commit (its body's sealed
   * marker): a rerun of the job that posted it, which must not post it again.
   */
  get headReviewedBefore(): boolean {
    return this.reviewedHead;
  }

  /**
   * Fingerprints of the findings this app already posted on the pull request: the sealed marker
   * on the last line of each review comment by this app (see report/fingerprint.ts), and of each
   * review body by this app (report/review-marker.ts: findings the body reported, and that the
   * review exists).
   */
  async postedFingerprints(): Promise<Set<string>> {
    // The review's first query read them, unless there were more than one page.
    const context = this.context ? await this.context : undefined;
    const found = await this.commentFingerprints(context?.reviewComments);
    const reviews =
      context?.reviewBodies ??
      (
        await callGitHub({ kind: "read", doing: "reading the reviews already posted" }, () =>
          this.octokit.paginate(this.octokit.rest.pulls.listReviews, {
            owner: this.pr.owner,
            repo: this.pr.repo,
            pull_number: this.pr.pullNumber,
            per_page: 100,
          }),
        )
      ).map((review) => ({ body: review.body, user: review.user, commitId: review.commit_id }));
    for (const review of reviews) {
      // Only this app's reviews, sealed with the review seal: another bot's copy of ours is not ours.
      if (!this.postedByUs(review.user)) continue;
      const marked = reviewMarkerIn(review.body ?? "", this.markers);
      if (marked === undefined) continue;
      for (const fp of marked) found.add(fp);
      if (review.commitId === this.pr.headSha) this.reviewedHead = true;
    }
    return found;
  }

  private async commentFingerprints(read: readonly AuthoredBody[] | undefined): Promise<Set<string>> {
    const comments =
      read ??
      (await callGitHub({ kind: "read", doing: "reading the review comments already posted" }, () =>
        this.octokit.paginate(this.octokit.rest.pulls.listReviewComments, {
          owner: this.pr.owner,
          repo: this.pr.repo,
          pull_number: this.pr.pullNumber,
          per_page: 100,
        }),
      ));
    const found = new Set<string>();
    for (const comment of comments) {
      if (!this.postedByUs(comment.user)) continue;
      for (const fp of markersIn(comment.body, this.markers)) found.add(fp);
    }
    return found;
  }

  /** Who last applied each of `labels` to the pull request (see label-appliers.ts). */
  labelAppliers(labels: readonly string[]): Promise<Map<string, string>> {
    return readLabelAppliers(this.octokit, this.pr, labels);
  }

  permissionOf(username: string): Promise<CollaboratorPermission> {
    return readCollaboratorPermission(this.octokit, this.pr.owner, this.pr.repo, username, "reading the permission of who applied a label");
  }

  /** Review comments keep their author (a user deleted since shows as null). */
  private postedByUs(user: { login: string; type: string } | null): boolean {
    if (user?.type !== "Bot") return false;
    return this.options.ownLogin === undefined || user.login.toLowerCase() === this.options.ownLogin.toLowerCase();
  }

  /**
   * Posts one review on the head commit (nothing when the client publishes nothing). If GitHub
   * rejects the inline comments (422: it does not say which), they are moved into the body and the
   * review is posted again: no finding is lost.
   */
  async postReview(review: {
    event: "COMMENT" | "REQUEST_CHANGES";
    body: string;
    comments: readonly ReviewComment[];
    bodyIfRejected: () => string;
  }): Promise<{ id: number; commentsInBody: boolean }> {
    // A read-only token (see commitStatusFallback) publishes nothing: the caller shows the review.
    if (this.channel === "nothing") return { id: 0, commentsInBody: false };
    const post = (doing: string, unsealed: string, comments: readonly ReviewComment[]) => {
      const body = sealReviewMarker(unsealed, this.markers);
      return callGitHub(
        {
          kind: "create",
          doing,
          clock: this.clock,
          ...this.waitLimit(),
          // A post whose answer was lost may have made the review: ours, on this commit, with this body.
          readBack: () => this.findReview(body),
          ...(this.log ? { log: this.log } : {}),
        },
        (options) =>
          this.octokit.rest.pulls
            .createReview({
              owner: this.pr.owner,
              repo: this.pr.repo,
              pull_number: this.pr.pullNumber,
              commit_id: this.pr.headSha,
              event: review.event,
              body,
              comments: comments.map((c) => ({
                path: c.path,
                line: c.line,
                side: "RIGHT" as const,
                ...(c.startLine !== undefined ? { start_line: c.startLine, start_side: "RIGHT" as const } : {}),
                body: sealMarker(c.body, this.markers),
              })),
              ...options,
            })
            .then(({ data }) => ({ id: data.id })),
      );
    };
    try {
      const { id } = await post("posting the review", review.body, review.comments);
      return { id, commentsInBody: false };
    } catch (error) {
      if (!(error instanceof GitHubApiError) || error.status !== 422 || review.comments.length === 0) throw error;
    }
    const { id } = await post("posting the review (comments moved to its body)", review.bodyIfRejected(), []);
    return { id, commentsInBody: true };
  }

  /** A review of ours on the head commit with exactly `body`: one whose post went unanswered. */
  private async findReview(body: string): Promise<{ id: number } | undefined> {
    const reviews = await callGitHub({ kind: "read", doing: "looking for a review whose post went unanswered" }, () =>
      this.octokit.paginate(this.octokit.rest.pulls.listReviews, { owner: this.pr.owner, repo: this.pr.repo, pull_number: this.pr.pullNumber, per_page: 100 }),
    );
    const found = reviews.find((r) => r.commit_id === this.pr.headSha && this.postedByUs(r.user) && sameBody(r.body, body));
    return found ? { id: found.id } : undefined;
  }

  /** The repository's .github/data-engineer.yml from its default branch (or the org's, or defaults). */
  async repoConfig(): Promise<{ config: RepoConfig; source: string | undefined }> {
    if (this.context) return repoConfigFromBlobs(this.pr.owner, this.pr.repo, (await this.context).config);
    return loadRepoConfig(this.octokit, this.pr.owner, this.pr.repo);
  }

  /**
   * Every file the pull request changes, as far as GitHub lists them: from the review's first query
   * (without patches: see changedFilePatches) when it read them all, else through REST (all pages).
   */
  async listChangedFiles(): Promise<ChangedFile[]> {
    const listed = this.context ? (await this.context).files : undefined;
    if (listed !== undefined) return listed;
    return this.listChangedFilesWithPatches();
  }

  /**
   * The unified diff of each changed file, by path (REST: GraphQL gives none). Read only when a
   * review has findings to anchor to diff lines.
   */
  async changedFilePatches(): Promise<Map<string, string | undefined>> {
    return new Map((await this.listChangedFilesWithPatches()).map((file) => [file.path, file.patch]));
  }

  private listChangedFilesWithPatches(): Promise<ChangedFile[]> {
    return listChangedFilesWithPatches(this.octokit, this.pr);
  }
}
