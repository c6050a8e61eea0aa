import type { DatabaseSync, StatementSync } from "node:sqlite";

/**
 * The check runs of ours GitHub may still show in progress. GitHub has no repository-wide
 * listing of in-progress check runs (only per commit), so the app records its own: each run when
 * it is created in progress, forgotten when a PATCH completes it (src/github/check-run-ledger.ts).
 * A run left here past the deadline was orphaned (its completion failed and was only logged, its
 * process died after the hooks gave up): the sweeper (check-run-sweeper.ts) completes it.
 *
 * Kept by the embedded store in its SQLite file; the BullMQ adapter has none yet (no sweeper there).
 */
export interface OpenCheckRun {
  checkRunId: number;
  installationId: number;
  owner: string;
  repo: string;
  /** When the app created it (queue clock, epoch ms). */
  openedAt: number;
}

export interface OpenCheckRunLedger {
  opened(run: Omit<OpenCheckRun, "openedAt">): void;
  closed(checkRunId: number): void;
  /** Runs recorded before `before`, oldest first. */
  olderThan(before: number, limit: number): OpenCheckRun[];
  /** Whether a job of the installation for this repository is queued or running, or has a hook pending: it completes its own run. */
  hasLiveJob(run: OpenCheckRun): boolean;
  /** How many runs are recorded: the sweeper sets no timer while there are none. */
  size(): number;
  /** Calls `listener` after each run recorded (the sweeper arms its timer). */
  onOpened(listener: () => void): void;
  /** False once the store is closed: the sweeper stops. */
  readonly active: boolean;
}

export const OPEN_CHECK_RUNS_SCHEMA = `
CREATE TABLE IF NOT EXISTS open_check_runs (
  check_run_id INTEGER PRIMARY KEY,
  installation_id INTEGER NOT NULL,
  owner TEXT NOT NULL,
  repo TEXT NOT NULL,
  opened_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS open_check_runs_age ON open_check_runs (opened_at);
`;

interface Row {
  check_run_id: number;
  installation_id: number;
  owner: string;
  repo: string;
  opened_at: number;
}

/** The embedded store's ledger, beside its `jobs` table (one replica owns the file). */
export class SqliteOpenCheckRuns implements OpenCheckRunLedger {
  private readonly insert: StatementSync;
  private readonly remove: StatementSync;
  private readonly older: StatementSync;
  private readonly live: StatementSync;
  private readonly count: StatementSync;
  private readonly listeners: Array<() => void> = [];

  constructor(
    private readonly db: DatabaseSync,
    private readonly now: () => number,
  ) {
    db.exec(OPEN_CHECK_RUNS_SCHEMA);
    // A re-creation that GitHub answered with the same id (an adopted creation) keeps the first time.
    this.insert = db.prepare("INSERT OR IGNORE INTO open_check_runs (check_run_id, installation_id, owner, repo, opened_at) VALUES (?, ?, ?, ?, ?)");
    this.remove = db.prepare("DELETE FROM open_check_runs WHERE check_run_id = ?");
    this.count = db.prepare("SELECT COUNT(*) AS n FROM open_check_runs");
    this.older = db.prepare("SELECT * FROM open_check_runs WHERE opened_at < ? ORDER BY opened_at LIMIT ?");
    // A review job's payload names its repository. A queued or running job completes or adopts
    // its run; so does a pending hook (a dead letter retried every minute for a day, a superseded
    // call): the sweeper waits for those and takes the run only once they are settled or given up.
    this.live = db.prepare(
      `SELECT COUNT(*) AS n FROM jobs WHERE (state IN ('queued', 'running') OR hook_pending IS NOT NULL) AND installation_id = ?
       AND json_extract(payload, '$.owner') = ? AND json_extract(payload, '$.repo') = ?`,
    );
  }

  get active(): boolean {
    return this.db.isOpen;
  }

  opened(run: Omit<OpenCheckRun, "openedAt">): void {
    this.insert.run(run.checkRunId, run.installationId, run.owner, run.repo, this.now());
    for (const listener of this.listeners) listener();
  }

  size(): number {
    return (this.count.get() as { n: number }).n;
  }

  onOpened(listener: () => void): void {
    this.listeners.push(listener);
  }

  closed(checkRunId: number): void {
    this.remove.run(checkRunId);
  }

  olderThan(before: number, limit: number): OpenCheckRun[] {
    return (this.older.all(before, limit) as unknown as Row[]).map((row) => ({
      checkRunId: row.check_run_id,
      installationId: row.installation_id,
      owner: row.owner,
      repo: row.repo,
      openedAt: row.opened_at,
    }));
  }

  hasLiveJob(run: OpenCheckRun): boolean {
    return (this.live.get(run.installationId, run.owner, run.repo) as { n: number }).n > 0;
  }
}
