import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { get } from "node:http";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT, serverEnv } from "./helpers/app-process.js";
import { registerChild, unregisterChild } from "./helpers/child-registry.js";
import { freePort } from "./helpers/free-port.js";

/**
 * Issue 20: `/readyz` within 0.5 s of start. Packages that only the agent (Gemini), the replay on
 * an external PostgreSQL or `/data-engineer ask` use are loaded when first used, so a server
 * without a Gemini key or DATABASE_URL never pays for them; so is the code only a job runs (the
 * review pipeline, the rules, the replay, the agent and its tools, the commands). The built bundle
 * is started as production starts it, with a resolve hook (helpers/record-packages.js) listing
 * every package and file resolved until /readyz answers; the bundle's files name the modules they
 * hold (esbuild's `// src/…` comments).
 */

const LOADED_ON_FIRST_USE = ["@google/genai", "google-auth-library", "pg", "tar", "re2js", "commonmark", "gray-matter"];

/**
 * Modules (and folders) that only a job, a webhook or a command comment needs: src/app.ts and the
 * handlers import them when the first one comes (the job payloads' module holds their zod schemas).
 */
const MODULES_ON_FIRST_JOB = [
  "src/jobs/processor.ts",
  "src/review/run-review.ts",
  "src/rules/index.ts",
  "src/replay/runner.ts",
  "src/agent/tools/",
  "src/agent/loop.ts",
  "src/agent/definition.ts",
  "src/commands/run.ts",
  "src/commands/parse.ts",
  "src/migrations/frameworks/index.ts",
  "src/jobs/job-payloads.ts",
  "node_modules/zod/",
];

interface LoadedUntilReady {
  /** Packages resolved from node_modules. */
  packages: string[];
  /** The source modules in the bundle files loaded (`src/app.ts`, `node_modules/probot/lib/…`). */
  modules: string[];
}

/** The modules a bundle file holds, by esbuild's comment above each (`// src/app.ts`). */
function modulesIn(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)].map((m) => m[1] ?? "");
}

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

async function loadedUntilReady(): Promise<LoadedUntilReady> {
  const dir = mkdtempSync(join(tmpdir(), "de-lazy-packages-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const record = join(dir, "packages.txt");
  const files = join(dir, "files.txt");
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
        RECORD_FILES_FILE: files,
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
  const packages = readFileSync(record, "utf8").split("\n").filter(Boolean);
  const bundleFiles = readFileSync(files, "utf8")
    .split("\n")
    .filter((url) => url.startsWith(pathToFileURL(join(ROOT, "dist/bundle")).href + "/"));
  process.kill(-(child.pid ?? 0), "SIGKILL");
  await exited;
  return { packages, modules: [...new Set(bundleFiles.flatMap((url) => modulesIn(fileURLToPath(url))))] };
}

describe("starting the server", () => {
  it("loads neither the Gemini SDK nor pg, tar, re2js, commonmark or gray-matter before /readyz, nor the code only jobs run", async () => {
    const { packages, modules } = await loadedUntilReady();
    // The hook sees the bundle's files, Probot's among them (bundled): an empty list would prove nothing.
    expect(modules).toContain("src/app.ts");
    expect(modules).toContain("src/server.ts");
    expect(modules.some((m) => m.startsWith("node_modules/probot/"))).toBe(true);
    expect(packages.filter((name) => LOADED_ON_FIRST_USE.includes(name))).toEqual([]);
    expect(modules.filter((m) => MODULES_ON_FIRST_JOB.some((lazy) => m.startsWith(lazy)))).toEqual([]);
    // Probot and what it loads are in the bundle (scripts/bundle.js): nothing is resolved in node_modules
    // (the bundled CommonJS modules still require Node's own modules by bare names: "path", "fs").
    expect(packages.filter((name) => !isBuiltin(name))).toEqual([]);
  }, 60_000);
});
