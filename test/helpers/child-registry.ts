import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The processes the test helpers start (the built app, redis-server, PostgreSQL), written down so
 * that the suite's global teardown (test/setup/child-processes.ts) can prove none outlived it: a
 * test worker killed by a signal runs no exit handler, and a server in graceful shutdown ignores
 * SIGTERM for its grace period. One file per process, in the folder the global setup names in
 * CHILD_REGISTRY_ENV; without it (bench/, a helper used outside vitest) nothing is written.
 * Imports no test framework: bench/ uses the helpers too.
 */

export const CHILD_REGISTRY_ENV = "DATA_ENGINEER_TEST_CHILDREN";

export interface RegisteredChild {
  pid: number;
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat): a pid used again by another process does not count. */
  startTicks: number | null;
  /** What it is, for the teardown's message. */
  what: string;
  /** The test worker that started it. */
  parent: number;
  /** Whether it leads its own process group (spawned detached): then the teardown kills the group. */
  groupLeader: boolean;
}

/** The fields of /proc/<pid>/stat after the parenthesised name (which may hold spaces): [0] is the state, [19] the start time. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** The process's start time in clock ticks since boot; null without /proc or once it is gone. */
export function processStartTicks(pid: number): number | null {
  const ticks = Number(statFields(pid)?.[19]);
  return Number.isFinite(ticks) ? ticks : null;
}

/** Whether the registered process still runs, and is the same process (same start time), not a zombie. */
export function isRunning(child: Pick<RegisteredChild, "pid" | "startTicks">): boolean {
  const fields = statFields(child.pid);
  if (fields === undefined) {
    if (existsSync("/proc/self/stat")) return false;
    // No /proc (not Linux): ask the kernel; EPERM means it exists under another user.
    try {
      process.kill(child.pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "EPERM";
    }
  }
  // Z: exited, only its parent's wait is missing; X: dead.
  if (fields[0] === "Z" || fields[0] === "X") return false;
  return child.startTicks === null || Number(fields[19]) === child.startTicks;
}

function registryDir(): string | undefined {
  return process.env[CHILD_REGISTRY_ENV] || undefined;
}

/** Writes the child down (when the suite keeps a registry). */
export function registerChild(pid: number | undefined, what: string, options: { groupLeader?: boolean } = {}): void {
  const dir = registryDir();
  if (!dir || pid === undefined) return;
  const entry: RegisteredChild = { pid, startTicks: processStartTicks(pid), what, parent: process.pid, groupLeader: options.groupLeader ?? false };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${pid}.json`), JSON.stringify(entry));
}

/** Crosses the child off once it is known to have exited. */
export function unregisterChild(pid: number | undefined): void {
  const dir = registryDir();
  if (!dir || pid === undefined) return;
  rmSync(join(dir, `${pid}.json`), { force: true });
}

/** Every child written down in `dir`. */
export function registeredChildren(dir: string): RegisteredChild[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith(".json"));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    try {
      return [JSON.parse(readFileSync(join(dir, name), "utf8")) as RegisteredChild];
    } catch {
      return [];
    }
  });
}
