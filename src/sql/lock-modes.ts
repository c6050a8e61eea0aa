/**
 * PostgreSQL's table lock modes, named as `pg_locks.mode` shows them, weakest first, with what
 * each blocks of ordinary traffic. https://www.postgresql.org/docs/current/explicit-locking.html
 */
export const LOCK_MODES = [
  "AccessShareLock",
  "RowShareLock",
  "RowExclusiveLock",
  "ShareUpdateExclusiveLock",
  "ShareLock",
  "ShareRowExclusiveLock",
  "ExclusiveLock",
  "AccessExclusiveLock",
] as const;

export type LockMode = (typeof LOCK_MODES)[number];

/** The SQL name of each mode, for messages: "ACCESS EXCLUSIVE". */
export const LOCK_MODE_SQL: Record<LockMode, string> = {
  AccessShareLock: "ACCESS SHARE",
  RowShareLock: "ROW SHARE",
  RowExclusiveLock: "ROW EXCLUSIVE",
  ShareUpdateExclusiveLock: "SHARE UPDATE EXCLUSIVE",
  ShareLock: "SHARE",
  ShareRowExclusiveLock: "SHARE ROW EXCLUSIVE",
  ExclusiveLock: "EXCLUSIVE",
  AccessExclusiveLock: "ACCESS EXCLUSIVE",
};

/** Whether a lock in this mode blocks plain SELECTs (AccessShare) and INSERT/UPDATE/DELETE (RowExclusive). */
export function blockedTraffic(mode: LockMode): { reads: boolean; writes: boolean } {
  return {
    reads: mode === "AccessExclusiveLock",
    writes: LOCK_MODES.indexOf(mode) >= LOCK_MODES.indexOf("ShareLock"),
  };
}

export function strongerLock(a: LockMode, b: LockMode): LockMode {
  return LOCK_MODES.indexOf(a) >= LOCK_MODES.indexOf(b) ? a : b;
}
