import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "../../test/helpers/free-port.js";

/**
 * A throwaway Redis for the BullMQ run: `redis-server` as a child of this process on a free
 * loopback port, without persistence, killed (by its pid) when the run ends or this process exits.
 */

export const REDIS_SERVER = "/usr/bin/redis-server";

export interface ThrowawayRedis {
  url: string;
  pid: number;
  /** Its peak resident set size (VmHWM), read from /proc now. */
  peakRssBytes(): number;
  stop(): Promise<void>;
}

/** The redis-server binary to run, or undefined when none is installed. */
export function redisServerBinary(): string | undefined {
  for (const candidate of [REDIS_SERVER, "redis-server"]) {
    const probe = spawnSync(candidate, ["--version"], { stdio: "ignore" });
    if (probe.error === undefined && probe.status === 0) return candidate;
  }
  return undefined;
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let reply = "";
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once("error", () => finish(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk: Buffer) => {
      reply += chunk.toString("utf8");
      if (reply.includes("\r\n")) finish(reply.startsWith("+PONG"));
    });
  });
}

function vmHwm(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match?.[1] ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export async function startRedis(binary: string): Promise<ThrowawayRedis> {
  let lastError = "";
  // The free port can be taken before redis-server binds it: try a few.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${binary}`);
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    let exited = false;
    const exit = new Promise<void>((resolve) =>
      child.once("exit", () => {
        exited = true;
        process.off("exit", killOnExit);
        resolve();
      }),
    );
    const deadline = Date.now() + 5_000;
    while (!exited && Date.now() < deadline && !(await answersPing(port))) await sleep(50);
    if (!exited && (await answersPing(port))) {
      let peak = 0;
      return {
        url: `redis://127.0.0.1:${port}`,
        pid,
        peakRssBytes: () => (peak = Math.max(peak, exited ? 0 : vmHwm(pid))),
        stop: async () => {
          if (!exited) child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
          await exit;
          clearTimeout(timer);
        },
      };
    }
    if (!exited) child.kill("SIGKILL");
    await exit;
    lastError = `redis-server on port ${port} did not answer PING: ${stderr.trim() || "(no output)"}`;
  }
  throw new Error(lastError);
}
