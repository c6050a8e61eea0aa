import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a built entry point (dist/…) in a child process, with exactly the environment given. */
export function runBuilt(script: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Ran {
  const result = spawnSync(process.execPath, [`${ROOT}dist/${script}`, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH, ...options.env },
    encoding: "utf8",
    timeout: 30_000,
    // The server in graceful shutdown ignores SIGTERM for its grace: a run that hangs ends at once.
    killSignal: "SIGKILL",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
