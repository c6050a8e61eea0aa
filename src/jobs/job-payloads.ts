import { z } from "zod";

/**
 * What each kind of job carries: only what the worker needs to act again without the webhook
 * (ids, names, the pull request's facts), written by the handler and checked when the job runs,
 * so a job left by an older version of the app fails with a reason instead of misbehaving.
 */

const repoFields = {
  owner: z.string().min(1),
  repo: z.string().min(1),
  pullNumber: z.number().int().positive(),
};

/** A pull request event's review of its head commit; the job creates its check run when it ends. */
export const reviewJobPayload = z.object({
  ...repoFields,
  headSha: z.string().min(7),
  /**
   * Read, never written: the in-progress check run the handler of an earlier version created
   * before it released the job to the worker. Such a job can still be in the store after an
   * upgrade (queued, retried within the retry budget, or its dead letter or superseded call made
   * again for up to HOOK_RETRY_FOR_MS after its enqueue), and it must complete that run rather
   * than leave it in progress and create a second one. Droppable one release after the one that
   * stopped writing it, once no store can hold such a job.
   */
  checkRunId: z.number().int().positive().optional(),
  /**
   * Read, never written, with `checkRunId`: the app's bot login that earlier handler learned when
   * it created the check run (only its comments' markers are trusted). A job of this version
   * learns it from GitHub during the review (the review context's viewer, or the run it creates).
   */
  ownLogin: z.string().min(1).optional(),
  pr: z.object({
    draft: z.boolean(),
    author: z.string(),
    labels: z.array(z.string()),
    baseRef: z.string(),
    changedFiles: z.number().int().nonnegative(),
    title: z.string().optional(),
    body: z.string().optional(),
  }),
});
export type ReviewJobPayload = z.infer<typeof reviewJobPayload>;

/** A re-run from the checks UI: review the pull request's current head again, as asked for. */
export const rereviewJobPayload = z.object({
  ...repoFields,
  /** The commit whose check was re-run. */
  requestedSha: z.string().min(1),
});
export type RereviewJobPayload = z.infer<typeof rereviewJobPayload>;

/** A `/data-engineer` comment, parsed again when the job runs. */
export const commandJobPayload = z.object({
  ...repoFields,
  body: z.string(),
  login: z.string(),
  comment: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("issue"), id: z.number().int() }),
    z.object({ kind: z.literal("review"), id: z.number().int(), inReplyTo: z.number().int().optional() }),
  ]),
  thread: z.object({ path: z.string(), line: z.number().int().optional(), hunk: z.string().optional() }).optional(),
  conversationUrl: z.string().optional(),
});
export type CommandJobPayload = z.infer<typeof commandJobPayload>;

export const JOB_KINDS = { review: reviewJobPayload, rereview: rereviewJobPayload, command: commandJobPayload } as const;
export type JobKind = keyof typeof JOB_KINDS;

/** A pull request's coalesce key: its jobs run one at a time and the newest wins. */
export function pullRequestKey(repositoryId: number, pullNumber: number): string {
  return `pr:${repositoryId}#${pullNumber}`;
}
