import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { registerChild, unregisterChild } from "./child-registry.js";
import { freePort } from "./free-port.js";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { defaultHeadSha } from "./loopback-github.js";
import { INSTALLATION_ID, webhookExample } from "./webhooks.js";

/**
 * The built server (`node dist/main.js`, Probot's) as a child process, the way it runs in
 * production, talking to a loopback GitHub (loopback-github.ts) as GitHub Enterprise Server. A
 * test sends it signed webhooks, kills it (SIGKILL mid-review), restarts it on the same DATA_DIR
 * and reads its output and peak memory. It imports neither vitest nor nock: bench/ uses it too.
 */

export const ROOT = projectRoot(fileURLToPath(new URL(".", import.meta.url)));

/** The nearest folder above `from` with a package.json: the project, also when this module is compiled into bench/.out/. */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
export const APP_ID = 1;
export const WEBHOOK_SECRET = "loopback-webhook-secret";

let cachedKey: string | undefined;

/** A throwaway RSA key (made once per process): Probot signs its app JWT with it; nobody checks it. */
export function appPrivateKey(): string {
  cachedKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }) as string;
  return cachedKey;
}

export interface AppProcessOptions {
  /** The loopback GitHub's `host` (127.0.0.1:<port>), given to the app as GHE_HOST with GHE_PROTOCOL=http. */
  githubHost: string;
  /** More environment (REDIS_URL, …); it wins over the defaults. Nothing is inherited from this process but PATH. */
  env?: Record<string, string | undefined>;
  /** The job store's folder; a fresh temporary one by default (removed by `dispose()`). */
  dataDir?: string;
  /** LOG_LEVEL; "info" by default. */
  logLevel?: string;
  /** The port to listen on; a free one by default (Probot takes PORT=0 as 3000, so it cannot pick one itself). */
  port?: number;
  /** How long to wait for /healthz (default 20 s). */
  startTimeoutMs?: number;
  webhookSecret?: string;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WebhookResult {
  status: number;
  /** From sending the request to the end of the answer. */
  elapsedMs: number;
  body: string;
}

/**
 * Children still running, killed when this process exits (a test that timed out must not leave
 * its app behind). Vitest stops a worker with SIGTERM, which runs no exit handler: for that the
 * app carries exit-with-parent.js, and the suite's teardown checks the registry (child-registry.ts).
 */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  running.add(child);
  registerChild(child.pid, `the built app (node dist/main.js), started by test/helpers/app-process.ts`, { groupLeader: true });
  child.once("exit", () => {
    running.delete(child);
    unregisterChild(child.pid);
  });
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const c of running) signalGroup(c, "SIGKILL");
  });
}

/** The app leads its own process group (spawned detached): a signal to the group reaches anything it started too. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** Makes the app end itself when this process is gone, however it went (see exit-with-parent.js). */
const EXIT_WITH_PARENT = join(ROOT, "test/helpers/exit-with-parent.js");

/** At most this much of each output stream is kept (the tail), so a long benchmark does not grow memory. */
const OUTPUT_LIMIT = 4 * 1024 * 1024;

export class AppProcess {
  /** The resolved options (data dir and port included): `startApp(app.options)` starts it again on them. */
  readonly options: Required<Pick<AppProcessOptions, "githubHost" | "dataDir" | "port" | "logLevel" | "webhookSecret" | "startTimeoutMs">> &
    Pick<AppProcessOptions, "env">;
  readonly url: string;
  readonly exited: Promise<ExitStatus>;
  private exitStatus: ExitStatus | undefined;
  private out = "";
  private err = "";
  private peak = 0;
  private readonly sampler: NodeJS.Timeout;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private ownsDataDir: boolean;
  /** The process `restart()` started in its place: disposing this one disposes it too, so a dropped handle leaks nothing. */
  private successor: AppProcess | undefined;

  private constructor(
    private readonly child: ChildProcess,
    options: AppProcess["options"],
    ownsDataDir: boolean,
  ) {
    this.options = options;
    this.ownsDataDir = ownsDataDir;
    this.url = `http://127.0.0.1:${options.port}`;
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      this.out = trimmed(this.out + chunk);
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.err = trimmed(this.err + chunk);
    });
    this.exited = new Promise<ExitStatus>((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitStatus = { code, signal };
        clearInterval(this.sampler);
        this.agent.destroy();
        resolve(this.exitStatus);
      });
    });
    this.sampler = setInterval(() => this.peakRssBytes(), 200);
    this.sampler.unref();
  }

  /** Starts the app and resolves once GET /healthz answers 200. */
  static async start(options: AppProcessOptions): Promise<AppProcess> {
    const ownsDataDir = options.dataDir === undefined;
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "de-app-data-"));
    const resolved: AppProcess["options"] = {
      githubHost: options.githubHost,
      dataDir,
      port: options.port ?? 0,
      logLevel: options.logLevel ?? "info",
      webhookSecret: options.webhookSecret ?? WEBHOOK_SECRET,
      startTimeoutMs: options.startTimeoutMs ?? 20_000,
      ...(options.env ? { env: options.env } : {}),
    };
    // A port found free can be taken before the app listens: try again on another.
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort());
      const app = AppProcess.spawn({ ...resolved, port }, ownsDataDir);
      try {
        await app.waitHealthy();
        return app;
      } catch (error) {
        if (app.exitStatus === undefined) await app.kill("SIGKILL");
        const inUse = /EADDRINUSE|already in use/.test(app.stdout + app.stderr);
        if (!inUse || options.port !== undefined || attempt >= 3) {
          if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
          throw error;
        }
      }
    }
  }

  private static spawn(options: AppProcess["options"], ownsDataDir: boolean): AppProcess {
    const env = serverEnv(options);
    for (const [key, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    const preload = existsSync(EXIT_WITH_PARENT) ? ["--import", pathToFileURL(EXIT_WITH_PARENT).href] : [];
    const child = spawn(process.execPath, [...preload, join(ROOT, "dist/main.js")], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    track(child);
    return new AppProcess(child, options, ownsDataDir);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** What it wrote to stdout (Probot's JSON log lines), the last 4 MiB. */
  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  /** Its exit, once it has exited. */
  get exitedWith(): ExitStatus | undefined {
    return this.exitStatus;
  }

  /** Stdout and stderr's tails and the exit, for failure messages. */
  describe(tail = 4000): string {
    const exit = this.exitStatus ? `exited with ${this.exitStatus.signal ?? `code ${this.exitStatus.code}`}` : `running (pid ${this.pid})`;
    return `app ${exit}\n--- stderr ---\n${this.err.slice(-tail)}\n--- stdout ---\n${this.out.slice(-tail)}`;
  }

  /** The process's peak resident set size (VmHWM) in bytes, as last read from /proc while it ran. */
  peakRssBytes(): number {
    if (this.exitStatus === undefined && this.child.pid !== undefined) {
      try {
        const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${this.child.pid}/status`, "utf8"));
        if (match?.[1]) this.peak = Math.max(this.peak, Number(match[1]) * 1024);
      } catch {
        // Gone between the check and the read, or no /proc: keep the last value.
      }
    }
    return this.peak;
  }

  private async waitHealthy(): Promise<void> {
    const deadline = Date.now() + this.options.startTimeoutMs;
    while (Date.now() < deadline) {
      if (this.exitStatus) throw new Error(`the app exited before serving /healthz\n${this.describe()}`);
      const status = await this.get("/healthz").catch(() => 0);
      if (status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the app did not serve /healthz within ${this.options.startTimeoutMs} ms\n${this.describe()}`);
  }

  private get(path: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(`${this.url}${path}`, { agent: this.agent, timeout: 2000 }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", reject);
      req.end();
    });
  }

  /**
   * Sends a webhook as GitHub does: the JSON body signed with X-Hub-Signature-256 (HMAC-SHA256 of
   * the exact bytes with the webhook secret). A string payload is sent as is; `signature` replaces
   * the right one (to test refusals).
   */
  sendWebhook(event: string, payload: unknown, deliveryId: string = randomUUID(), options: { signature?: string } = {}): Promise<WebhookResult> {
    const body = Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload), "utf8");
    const signature = options.signature ?? `sha256=${createHmac("sha256", this.options.webhookSecret).update(body).digest("hex")}`;
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.url}/api/github/webhooks`,
        {
          method: "POST",
          agent: this.agent,
          headers: {
            "content-type": "application/json",
            "content-length": String(body.length),
            "user-agent": "GitHub-Hookshot/loopback",
            "x-github-event": event,
            "x-github-delivery": deliveryId,
            "x-github-hook-id": "1",
            "x-github-hook-installation-target-type": "integration",
            "x-github-hook-installation-target-id": String(APP_ID),
            "x-hub-signature-256": signature,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, elapsedMs: performance.now() - started, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  /** Sends a signal (SIGKILL by default) and resolves with the exit. */
  kill(signal: NodeJS.Signals = "SIGKILL"): Promise<ExitStatus> {
    if (this.exitStatus === undefined) {
      if (signal === "SIGKILL") signalGroup(this.child, signal);
      else this.child.kill(signal);
    }
    return this.exited;
  }

  /** SIGTERM, then SIGKILL (to its process group) if it has not exited after `graceMs`. */
  async stop(graceMs = 5000): Promise<ExitStatus> {
    if (this.exitStatus) return this.exitStatus;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => signalGroup(this.child, "SIGKILL"), graceMs);
    const status = await this.exited;
    clearTimeout(timer);
    return status;
  }

  /**
   * Starts the app again on the same options (same DATA_DIR; the same port if it is still free),
   * after killing this one if it still runs. The new process owns the temporary data dir.
   */
  async restart(signal: NodeJS.Signals = "SIGKILL"): Promise<AppProcess> {
    await this.kill(signal);
    const owns = this.ownsDataDir;
    this.ownsDataDir = false;
    const next = await AppProcess.start({ ...this.options, port: this.options.port }).catch(async (error: unknown) => {
      if (!/EADDRINUSE|already in use/.test(String(error))) throw error;
      const rest: AppProcessOptions = { ...this.options };
      delete rest.port;
      return AppProcess.start(rest);
    });
    next.ownsDataDir = owns;
    this.successor = next;
    return next;
  }

  /** Stops it (SIGKILL) and every process restarted in its place, and removes the temporary data dir it made. */
  async dispose(): Promise<void> {
    await this.successor?.dispose();
    await this.kill("SIGKILL");
    if (this.ownsDataDir) rmSync(this.options.dataDir, { recursive: true, force: true });
    this.ownsDataDir = false;
  }
}

/** Starts the built app against a loopback GitHub; see {@link AppProcess.start}. */
/**
 * The production server's environment against a loopback GitHub Enterprise host: the test app's
 * id, key and secret, HTTP on 127.0.0.1, and the process tied to this one (EXIT_WITH_PARENT_PID).
 * Nothing is inherited from this process but PATH.
 */
export function serverEnv(options: { port: number; githubHost: string; dataDir: string; logLevel: string; webhookSecret?: string }): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    NODE_ENV: "production",
    APP_ID: String(APP_ID),
    PRIVATE_KEY: appPrivateKey(),
    WEBHOOK_SECRET: options.webhookSecret ?? WEBHOOK_SECRET,
    HOST: "127.0.0.1",
    PORT: String(options.port),
    GHE_HOST: options.githubHost,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: options.logLevel,
    DATA_DIR: options.dataDir,
    EXIT_WITH_PARENT_PID: String(process.pid),
  };
}

export function startApp(options: AppProcessOptions): Promise<AppProcess> {
  return AppProcess.start(options);
}

function trimmed(text: string): string {
  return text.length > OUTPUT_LIMIT ? text.slice(-OUTPUT_LIMIT) : text;
}

// ---- webhook payloads ---------------------------------------------------------------------------

export interface PullRequestWebhookOptions {
  owner?: string;
  repo?: string;
  /** The repository's id (the example's for its own repository, else one derived from owner/repo). */
  repositoryId?: number;
  number?: number;
  /** The head commit; by default the one the loopback GitHub serves for this pull request ({@link defaultHeadSha}). */
  headSha?: string;
  installationId?: number;
  draft?: boolean;
  baseRef?: string;
  title?: string;
  body?: string;
  labels?: string[];
  author?: string;
  changedFiles?: number;
}

export type PullRequestWebhookAction = "opened" | "synchronize" | "reopened" | "ready_for_review";

/** The fields of the example payload this module changes (the rest is GitHub's example, untyped). */
export interface PullRequestWebhook {
  action: string;
  number: number;
  before?: string;
  after?: string;
  pull_request: Record<string, unknown> & {
    number: number;
    draft?: boolean;
    title: string;
    body: string | null;
    changed_files?: number;
    labels: Array<Record<string, unknown>>;
    user: Record<string, unknown>;
    head: Record<string, unknown> & { sha: string; repo: RepoPayload };
    base: Record<string, unknown> & { ref: string; repo: RepoPayload };
  };
  repository: RepoPayload;
  installation: { id: number; node_id?: string };
  [key: string]: unknown;
}

type RepoPayload = Record<string, unknown> & { id: number; name: string; full_name: string; owner: Record<string, unknown> & { login: string } };

/**
 * A `pull_request` webhook payload from GitHub's own example (@octokit/webhooks-examples), for
 * the repository, number, head and installation given. The head defaults to the one the loopback
 * GitHub serves for that pull request, so that the app's review is not superseded.
 */
export function pullRequestWebhook(action: PullRequestWebhookAction, options: PullRequestWebhookOptions = {}): PullRequestWebhook {
  const payload = webhookExample<PullRequestWebhook>("pull_request", action);
  const exampleRepo = payload.repository;
  const owner = options.owner ?? exampleRepo.owner.login;
  const repo = options.repo ?? exampleRepo.name;
  const sameRepo = owner === exampleRepo.owner.login && repo === exampleRepo.name;
  const repositoryId = options.repositoryId ?? (sameRepo ? exampleRepo.id : stableId(`${owner}/${repo}`));
  const number = options.number ?? payload.pull_request.number;
  const headSha = options.headSha ?? defaultHeadSha(owner, repo, number);
  const rename = (r: RepoPayload): RepoPayload => ({ ...r, id: repositoryId, name: repo, full_name: `${owner}/${repo}`, owner: { ...r.owner, login: owner } });

  payload.repository = rename(payload.repository);
  payload.number = number;
  payload.installation = { ...payload.installation, id: options.installationId ?? INSTALLATION_ID };
  const pr = payload.pull_request;
  pr.number = number;
  pr.head = { ...pr.head, sha: headSha, repo: rename(pr.head.repo) };
  pr.base = { ...pr.base, ref: options.baseRef ?? pr.base.ref, repo: rename(pr.base.repo) };
  if (options.draft !== undefined) pr.draft = options.draft;
  if (options.title !== undefined) pr.title = options.title;
  if (options.body !== undefined) pr.body = options.body;
  if (options.changedFiles !== undefined) pr.changed_files = options.changedFiles;
  if (options.author !== undefined) pr.user = { ...pr.user, login: options.author };
  if (options.labels !== undefined) {
    pr.labels = options.labels.map((name, i) => ({ id: i + 1, node_id: `LA_${i + 1}`, url: "", name, color: "ededed", default: false, description: null }));
  }
  if (action === "synchronize") payload.after = headSha;
  return payload;
}

function stableId(text: string): number {
  let hash = 0;
  for (const char of text) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) >>> 0;
  return (hash % 1_000_000_000) + 1;
}
