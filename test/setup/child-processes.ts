import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHILD_REGISTRY_ENV, isRunning, registeredChildren, type RegisteredChild } from "../helpers/child-registry.js";

/**
 * Proves that no process a test helper started outlives the suite. The setup names a folder
 * where the helpers write down each child (test/helpers/child-registry.ts; the workers inherit
 * the variable); the teardown waits briefly for the ones still listed (watchdogs notice their
 * test worker is gone within half a second), then kills what remains and fails the run, naming it.
 */

/** How long stragglers get: the redis and PostgreSQL watchdogs poll every 0.5 s, PostgreSQL then shuts down. */
const GRACE_MS = 5_000;

/** The children still running after `graceMs`, each killed (its process group when it leads one). */
export async function reapLeftovers(dir: string, graceMs = GRACE_MS, pollMs = 100): Promise<RegisteredChild[]> {
  const deadline = performance.now() + graceMs;
  let running = registeredChildren(dir).filter(isRunning);
  while (running.length > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    running = running.filter(isRunning);
  }
  for (const child of running) {
    try {
      process.kill(child.groupLeader ? -child.pid : child.pid, "SIGKILL");
    } catch {
      // Gone between the look and the kill.
    }
  }
  return running;
}

export function describeLeftovers(children: readonly RegisteredChild[]): string {
  return [
    `${children.length} process(es) started by the tests were still running after the suite (now killed with SIGKILL):`,
    ...children.map((c) => `  pid ${c.pid}: ${c.what} (started by test worker ${c.parent})`),
    "A helper that starts a process must stop it (and a test must keep the handle a restart returns).",
  ].join("\n");
}

export default function setup(): () => Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "de-test-children-"));
  process.env[CHILD_REGISTRY_ENV] = dir;
  return async function teardown() {
    const left = await reapLeftovers(dir);
    rmSync(dir, { recursive: true, force: true });
    if (left.length > 0) throw new Error(describeLeftovers(left));
  };
}
