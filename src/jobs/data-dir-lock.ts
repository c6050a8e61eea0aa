import { openSync, closeSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

/**
 * One process per DATA_DIR: the embedded job store assumes it is the only writer, so a second
 * replica pointed at the same directory must be refused (scale out with REDIS_URL instead). The
 * lock file holds the owner's pid; a file left by a process that no longer exists is taken over.
 */

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

export class DataDirInUseError extends Error {
  constructor(readonly dataDir: string, readonly pid: number) {
    super(
      `DATA_DIR ${dataDir} is in use by process ${pid}. The embedded job store serves one replica; ` +
        "give each its own DATA_DIR, or set REDIS_URL to share jobs between replicas.",
    );
    this.name = "DataDirInUseError";
  }
}

const held = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function acquireDataDirLock(dataDir: string): DataDirLock {
  const path = join(dataDir, "jobs.lock");
  if (held.has(path)) throw new DataDirInUseError(dataDir, process.pid);
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(path);
      let released = false;
      return {
        path,
        release: () => {
          if (released) return;
          released = true;
          held.delete(path);
          rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) throw new DataDirInUseError(dataDir, pid);
      // Left by a process that died (or by this one before a restart with the same pid): take it over.
      rmSync(path, { force: true });
    }
  }
  throw new Error(`could not take the lock ${path}`);
}
