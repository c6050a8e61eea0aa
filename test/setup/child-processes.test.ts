import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CHILD_REGISTRY_ENV, isRunning, processStartTicks, registerChild, registeredChildren } from "../helpers/child-registry.js";
import { ROOT } from "../helpers/run-built.js";
import setup, { reapLeftovers } from "./child-processes.js";

/** The registry and the teardown that proves no process a helper started outlives the suite. */

const dirs: string[] = [];
const children: ChildProcess[] = [];
const suiteRegistry = process.env[CHILD_REGISTRY_ENV];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  if (suiteRegistry === undefined) delete process.env[CHILD_REGISTRY_ENV];
  else process.env[CHILD_REGISTRY_ENV] = suiteRegistry;
});

/** Registers into a registry of this test's own (not the suite's). */
function ownRegistry(): string {
  const dir = mkdtempSync(join(tmpdir(), "de-registry-test-"));
  dirs.push(dir);
  process.env[CHILD_REGISTRY_ENV] = dir;
  return dir;
}

function sleeper(options: { detached?: boolean } = {}): ChildProcess {
  const child = spawn("sleep", ["60"], { stdio: "ignore", detached: options.detached ?? false });
  children.push(child);
  return child;
}

function exitOf(child: ChildProcess): Promise<NodeJS.Signals | number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode ?? child.exitCode);
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));
}

async function until(what: string, condition: () => boolean, limitMs = 10_000): Promise<void> {
  for (const start = performance.now(); !condition(); await new Promise((r) => setTimeout(r, 25))) {
    if (performance.now() - start > limitMs) throw new Error(`not within ${limitMs} ms: ${what}`);
  }
}

describe("the child registry", () => {
  it("writes a child down with its start time, and nothing without a registry", () => {
    const child = sleeper();
    delete process.env[CHILD_REGISTRY_ENV];
    registerChild(child.pid, "unlisted");
    const dir = ownRegistry();
    registerChild(child.pid, "a sleeper");
    expect(registeredChildren(dir)).toEqual([
      { pid: child.pid, startTicks: processStartTicks(child.pid ?? -1), what: "a sleeper", parent: process.pid, groupLeader: false },
    ]);
  });

  it("tells a running process from an exited one and from a pid used again", async () => {
    const child = sleeper();
    const entry = { pid: child.pid ?? -1, startTicks: processStartTicks(child.pid ?? -1) };
    expect(isRunning(entry)).toBe(true);
    expect(isRunning({ ...entry, startTicks: (entry.startTicks ?? 0) + 1 })).toBe(false);
    const done = spawnSync("true");
    expect(done.status).toBe(0);
    expect(isRunning({ pid: done.pid, startTicks: 1 })).toBe(false);
    child.kill("SIGKILL");
    await exitOf(child);
    expect(isRunning(entry)).toBe(false);
  });
});

describe("the suite's teardown", () => {
  it("waits for children that are going, then kills the rest (their process group) and names them", async () => {
    const dir = ownRegistry();
    const stays = sleeper({ detached: true });
    const goes = sleeper();
    registerChild(stays.pid, "a server that ignores its stop", { groupLeader: true });
    registerChild(goes.pid, "a server that stops");
    setTimeout(() => goes.kill("SIGTERM"), 50);
    const left = await reapLeftovers(dir, 2_000, 20);
    expect(left.map((c) => c.what)).toEqual(["a server that ignores its stop"]);
    expect(await exitOf(stays)).toBe("SIGKILL");
    expect(await exitOf(goes)).toBe("SIGTERM");
  });

  it("fails the run when a child outlived the suite, and passes when none did", async () => {
    const clean = setup();
    await expect(clean()).resolves.toBeUndefined();

    const teardown = setup();
    const leaked = sleeper({ detached: true });
    registerChild(leaked.pid, "a leaked app", { groupLeader: true });
    await expect(teardown()).rejects.toThrow(new RegExp(`1 process\\(es\\) started by the tests were still running[\\s\\S]*pid ${leaked.pid}: a leaked app`));
    expect(await exitOf(leaked)).toBe("SIGKILL");
  }, 15_000);
});

describe("exit-with-parent.js", () => {
  it("ends the app it is preloaded into once the process that started it is gone", async () => {
    const preload = pathToFileURL(join(ROOT, "test/helpers/exit-with-parent.js")).href;
    // A shell starts a long-running node with the preload, prints its pid and exits: the node is orphaned.
    const shell = spawnSync(
      "sh",
      ["-c", `EXIT_WITH_PARENT_PID=$$ "${process.execPath}" --import "${preload}" -e "setInterval(() => {}, 1000)" >/dev/null 2>&1 & echo $!`],
      { encoding: "utf8" },
    );
    const pid = Number(shell.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    const orphan = { pid, startTicks: processStartTicks(pid) };
    try {
      await until("the orphaned node to end", () => !isRunning(orphan));
    } finally {
      if (isRunning(orphan)) process.kill(pid, "SIGKILL");
    }
  });
});
