import type { DatabaseSync } from "node:sqlite";

/**
 * One process per DATA_DIR: the embedded job store assumes it is the only writer, so a second
 * replica pointed at the same directory must be refused (scale out with REDIS_URL instead). The
 * lock is SQLite's own: the store's connection runs in exclusive locking mode and takes the write
 * lock at open, and keeps it until it is closed. The operating system drops it when the process
 * dies, however it dies, and it works where a pid file cannot (in containers every process is pid 1).
 */

export class DataDirInUseError extends Error {
  constructor(readonly dataDir: string) {
    super(
      `DATA_DIR ${dataDir} is in use by another data-engineer process. The embedded job store serves one replica; ` +
        "give each its own DATA_DIR, or set REDIS_URL to share jobs between replicas.",
    );
    this.name = "DataDirInUseError";
  }
}

/** SQLite's "database is locked". */
const SQLITE_BUSY = 5;

/** Takes and keeps the exclusive lock of the store's database; throws DataDirInUseError when another connection holds it. */
export function lockDatabase(db: DatabaseSync, dataDir: string): void {
  // Exclusive locking mode must be set before WAL is entered: WAL then needs no shared memory
  // file, and the lock taken by the first write is kept until the connection closes.
  db.exec("PRAGMA busy_timeout = 0; PRAGMA locking_mode = EXCLUSIVE;");
  try {
    db.exec("PRAGMA journal_mode = WAL;");
    db.exec("BEGIN EXCLUSIVE; COMMIT;");
  } catch (error) {
    if ((error as { errcode?: number }).errcode === SQLITE_BUSY) throw new DataDirInUseError(dataDir);
    throw error;
  }
}
