import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT, serverEnv } from "./helpers/app-process.js";
import { registerChild, unregisterChild } from "./helpers/child-registry.js";
import { freePort } from "./helpers/free-port.js";

/**
 * Issue 20: `/readyz` within 0.5 s of start. Packages that only the agent (Gemini), the replay on
 * an external PostgreSQL or `/data-engineer ask` use are loaded when first used, so a server
 * without a Gemini key or DATABASE_URL never pays for them. The built bundle is started as
 * production starts it, with a resolve hook (helpers/record-packages.js) listing every package
 * resolved until /readyz answers.
 */

const LOADED_ON_FIRST_USE = ["@google/genai", "google-auth-library", "pg", "tar", "re2js", "commonmark", "gray-matter"];

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function readyzStatus(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    get({ host: "127.0.0.1", port, path: "/readyz" }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on("error", () => resolve(undefined));
  });
}

async function packagesLoadedUntilReady(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "de-lazy-packages-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const record = join(dir, "packages.txt");
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      "--import",
      pathToFileURL(join(ROOT, "test/helpers/exit-with-parent.js")).href,
      "--import",
      pathToFileURL(join(ROOT, "test/helpers/record-packages.js")).href,
      join(ROOT, "dist/bundle/start-server.js"),
    ],
    {
      cwd: ROOT,
      // No GEMINI_API_KEY, no DATABASE_URL: the server a plain install runs.
      env: {
        // Never contacted before the first webhook.
        ...serverEnv({ port, githubHost: "127.0.0.1:9", dataDir: join(dir, "data"), logLevel: "warn" }),
        RECORD_PACKAGES_FILE: record,
      },
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
    },
  );
  registerChild(child.pid, "the built server (dist/bundle/start-server.js), started by test/server-lazy-packages.test.ts", { groupLeader: true });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid ?? 0), "SIGKILL");
    unregisterChild(child.pid);
  });
  let ready = false;
  while (!ready) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server exited before /readyz answered: ${stderr}`);
    ready = (await readyzStatus(port)) === 200;
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const loaded = readFileSync(record, "utf8").split("\n").filter(Boolean);
  process.kill(-(child.pid ?? 0), "SIGKILL");
  await exited;
  return loaded;
}

describe("starting the server", () => {
  it("loads neither the Gemini SDK nor pg, tar, re2js, commonmark or gray-matter before /readyz", async () => {
    const loaded = await packagesLoadedUntilReady();
    // The hook sees the server's own packages: an empty list would prove nothing.
    expect(loaded).toContain("probot");
    expect(loaded).toContain("pino");
    expect(loaded.filter((name) => LOADED_ON_FIRST_USE.includes(name))).toEqual([]);
  }, 60_000);
});
