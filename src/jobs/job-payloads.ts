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

/** A pull request event's review of its head commit; the handler created its check run. */
export const reviewJobPayload = z.object({
  ...repoFields,
  headSha: z.string().min(7),
  checkRunId: z.number().int().positive().optional(),
  /** The app's bot login, learned when the handler created the check run: only its comments' markers are trusted. */
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
