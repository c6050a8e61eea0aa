import type { DatabaseSync, StatementSync } from "node:sqlite";

/**
 * The newest head commit announced for each pull request, shared by every replica that reviews
 * it: the embedded store keeps it in its SQLite file, the BullMQ queue in Redis
 * (bullmq/latest-heads.ts). The pull request handler records the head of each event before it
 * queues the review; a review job reads it just before posting and posts nothing when another
 * head was announced since (publish-review.ts). The job queue already aborts a superseded job, but
 * the abort can come late (a pub/sub message to another replica, a POST waiting for its turn): the
 * record is read from the shared store itself, at the last moment, and costs no GitHub request.
 */
export interface LatestHeadStore {
  /**
   * Records `headSha` as the pull request's head, unless a head announced later is recorded
   * already: webhooks of two quick pushes may reach two replicas in either order. `announcedAt`
   * is when GitHub says the pull request changed (its `updated_at`, epoch ms); on a tie the
   * last record wins.
   */
  record(key: string, headSha: string, announcedAt: number): Promise<void>;
  /** The newest recorded head, or undefined when none is (a record past the retention). */
  latest(key: string): Promise<string | undefined>;
}

/** The record's key: one pull request of one installation (`coalesceKey` names the repository and number). */
export function latestHeadKey(installationId: number | undefined, coalesceKey: string): string {
  return `${installationId ?? 0}:${coalesceKey}`;
}

/** When GitHub says the pull request changed, from the webhook's `updated_at`; `fallback` when it has none. */
export function announcedAt(updatedAt: string | null | undefined, fallback: number): number {
  const at = updatedAt ? Date.parse(updatedAt) : Number.NaN;
  return Number.isFinite(at) ? at : fallback;
}

export const LATEST_HEADS_SCHEMA = `
CREATE TABLE IF NOT EXISTS pull_request_heads (
  key TEXT PRIMARY KEY,
  head_sha TEXT NOT NULL,
  announced_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS pull_request_heads_age ON pull_request_heads (updated_at);
`;

/** The embedded store's records, in the queue's SQLite file (one replica owns it). */
export class SqliteLatestHeads implements LatestHeadStore {
  private readonly upsert: StatementSync;
  private readonly select: StatementSync;
  private readonly purgeOlder: StatementSync;

  constructor(
    db: DatabaseSync,
    private readonly now: () => number,
  ) {
    db.exec(LATEST_HEADS_SCHEMA);
    this.upsert = db.prepare(
      `INSERT INTO pull_request_heads (key, head_sha, announced_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET head_sha = excluded.head_sha, announced_at = excluded.announced_at, updated_at = excluded.updated_at
       WHERE excluded.announced_at >= pull_request_heads.announced_at`,
    );
    this.select = db.prepare("SELECT head_sha FROM pull_request_heads WHERE key = ?");
    this.purgeOlder = db.prepare("DELETE FROM pull_request_heads WHERE updated_at < ?");
  }

  record(key: string, headSha: string, announcedAt: number): Promise<void> {
    this.upsert.run(key, headSha, announcedAt, this.now());
    return Promise.resolve();
  }

  latest(key: string): Promise<string | undefined> {
    const row = this.select.get(key) as { head_sha: string } | undefined;
    return Promise.resolve(row?.head_sha);
  }

  /** Forgets pull requests no event touched since `before` (the queue's retention). */
  purge(before: number): number {
    return Number(this.purgeOlder.run(before).changes);
  }
}
