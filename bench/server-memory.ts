import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, hostname, release, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { create as createTar } from "tar";
import { pullRequestWebhook, ROOT, serverEnv, WEBHOOK_SECRET } from "../test/helpers/app-process.js";
import { freePort } from "../test/helpers/free-port.js";
import { LoopbackGitHub } from "../test/helpers/loopback-github.js";
import { corpusStatement } from "./lint-corpus.js";

/**
 * The server's memory and start-up (issue 20: `/readyz` within 0.5 s of start, idle under 130 MB,
 * no review pushing the process over 300 MB). Each case starts the built server as production
 * does (npm start's command line, which the image's CMD repeats: `node <flags>
 * dist/bundle/start-server.js`) in a fresh process against the loopback GitHub (test/helpers/loopback-github.ts), times
 * the spawn until `/readyz` answers 200, reads the idle RSS, then sends one signed `pull_request`
 * webhook and waits for its check run to complete. The process's RSS is read from
 * /proc/<pid>/status (VmRSS sampled every 25 ms; VmHWM, the kernel's own peak): worker threads
 * share the process's address space, so both include the analysis workers. PGlite runs in a child
 * process of the server's (src/replay/pglite-engine.ts): its memory is not the server's, and is
 * reported beside it, from the same samples of the server's children (their VmRSS, and their
 * VmHWM while they live), with the peak of server and children together.
 *
 * Cases: `small` (one index and its rollback), `large` (one migration of --statements statements,
 * 5,000 by default, and its rollback), `replay` (the small one with `replay.enabled: true` on
 * PGlite; the loopback GitHub serves no tarball, so a proxy in front of it serves the head
 * commit's tarball the replay reads its history from).
 *
 * Run: npm run bench:server [-- --cases small,large,replay --statements 5000 --runs 1 --json
 *   --node-args="--liftoff-only" (npm start's flags by default) --env KEY=value,KEY=value (the image's
 *   MALLOC_ARENA_MAX=2 by default; --env "" for none)]
 */

const { values: args } = parseArgs({
  options: {
    cases: { type: "string", default: "small,large,replay" },
    statements: { type: "string", default: "5000" },
    runs: { type: "string", default: "1" },
    json: { type: "boolean", default: false },
    /** Node's flags; by default those of package.json's start script (the Dockerfile's CMD has the same: test/packaging.test.ts). */
    "node-args": { type: "string" },
    /** More environment for the server, `KEY=value,KEY=value`; by default what the image's ENV adds for memory (Dockerfile). */
    env: { type: "string", default: "MALLOC_ARENA_MAX=2" },
    /** A folder of replay images (`<key>.tar.gz`) copied into the server's DATA_DIR/replay-cache before it starts. */
    "replay-cache": { type: "string" },
  },
});

type CaseName = "small" | "large" | "replay";
const CASES = (args.cases ?? "")
  .split(",")
  .map((c) => c.trim())
  .filter((c): c is CaseName => {
    if (c === "") return false;
    if (c !== "small" && c !== "large" && c !== "replay") throw new Error(`--cases takes small, large and replay (got "${c}")`);
    return true;
  });
const STATEMENTS = Number(args.statements);
const RUNS = Number(args.runs);
if (!Number.isInteger(STATEMENTS) || STATEMENTS < 1) throw new Error(`--statements must be a whole number above 0 (got "${args.statements}")`);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs must be a whole number above 0 (got "${args.runs}")`);
/** The flags between `node` and the script in npm start's command line. */
function startScriptFlags(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const words = (pkg.scripts.start ?? "").split(" ");
  if (words[0] !== "node" || words.at(-1) !== "dist/bundle/start-server.js")
    throw new Error(`npm start runs "${pkg.scripts.start}", not node … dist/bundle/start-server.js`);
  return words.slice(1, -1).join(" ");
}
const NODE_ARGS = (args["node-args"] ?? startScriptFlags()).split(" ").filter((a) => a !== "");
const EXTRA_ENV = Object.fromEntries(
  (args.env ?? "")
    .split(",")
    .filter((pair) => pair.includes("="))
    .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
);
const ENTRY = join(ROOT, "dist/bundle/start-server.js");
/** Ends the server if this process goes away (test/helpers/exit-with-parent.js, a few lines). */
const EXIT_WITH_PARENT = join(ROOT, "test/helpers/exit-with-parent.js");
const OWNER = "bench";
const REPO = "memory";
const MB = 1024 * 1024;

interface Files {
  path: string;
  text: string;
}

function filesOf(name: CaseName): Files[] {
  if (name === "large") {
    const body = Array.from({ length: STATEMENTS }, (_, i) => corpusStatement(0, i)).join("\n\n");
    return [
      { path: "db/migrations/20260101000000_large.up.sql", text: `${body}\n` },
      { path: "db/migrations/20260101000000_large.down.sql", text: "DROP TABLE IF EXISTS t_0_0_0;\n" },
    ];
  }
  return [
    { path: "db/migrations/20260101000000_users.up.sql", text: "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n" },
    { path: "db/migrations/20260101000000_users.down.sql", text: "DROP TABLE users;\n" },
    { path: "db/migrations/20260102000000_add_index.up.sql", text: "CREATE INDEX index_users_on_email ON users (email);\n" },
    { path: "db/migrations/20260102000000_add_index.down.sql", text: "DROP INDEX index_users_on_email;\n" },
  ];
}

/** What /proc/<pid>/status says now: resident set, its peak, and the thread count. */
function procStatus(pid: number): { rss: number; hwm: number; threads: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
    return { rss: kb("VmRSS") * 1024, hwm: kb("VmHWM") * 1024, threads: kb("Threads") };
  } catch {
    return undefined;
  }
}

/** The process ids of the process's children (/proc/<pid>/task/<tid>/children, each thread's). */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
      try {
        return readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8")
          .split(" ")
          .filter((p) => p !== "")
          .map(Number);
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

/**
 * User + system CPU seconds the process has used, with its children's that have ended (PGlite's
 * process: cutime and cstime) (/proc/<pid>/stat, in clock ticks of 1/100 s).
 */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
}

function get(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 1000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end();
  });
}

function postWebhook(url: string, event: string, payload: unknown): Promise<number> {
  const body = Buffer.from(JSON.stringify(payload), "utf8");
  const signature = `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex")}`;
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/github/webhooks`,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": String(body.length),
          "x-github-event": event,
          "x-github-delivery": randomUUID(),
          "x-hub-signature-256": signature,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * In front of the loopback GitHub: answers the head commit's tarball (GitHub's one top-level
 * folder, `<owner>-<repo>-<sha>/`) from `files`, and passes every other request through.
 */
async function startTarballProxy(target: string, files: readonly Files[]): Promise<{ host: string; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "de-bench-tarball-"));
  const top = `${OWNER}-${REPO}-head`;
  for (const file of files) {
    const path = join(dir, top, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.text);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of createTar({ gzip: true, cwd: dir, portable: true }, [top]) as AsyncIterable<Buffer>) chunks.push(chunk);
  const tarball = Buffer.concat(chunks);
  rmSync(dir, { recursive: true, force: true });
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === "GET" && /\/repos\/[^/]+\/[^/]+\/tarball\//.test(req.url ?? "")) {
      res.writeHead(200, { "content-type": "application/x-gzip", "content-length": String(tarball.length) });
      res.end(tarball);
      return;
    }
    const forward = request(`http://${target}${req.url ?? "/"}`, { method: req.method, headers: { ...req.headers, host: target } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface CaseResult {
  name: CaseName;
  run: number;
  readyzMs: number;
  /** CPU time (user + system) the server used until /readyz answered: what a loaded machine does not stretch. */
  readyzCpuMs: number;
  idleRssMb: number;
  idlePeakMb: number;
  reviewMs: number;
  peakRssMb: number;
  /** The largest peak of one child process of the server's (PGlite's), 0 when none ran. */
  childPeakMb: number;
  /** The largest sampled sum of the server's RSS and its children's. */
  totalPeakMb: number;
  afterRssMb: number;
  threadsAtPeak: number;
  cpuSeconds: number;
  conclusion: string | null;
  title: string | null;
  replay: string;
}

function mb(bytes: number): number {
  return Math.round((bytes / MB) * 10) / 10;
}

async function runCase(name: CaseName, run: number): Promise<CaseResult> {
  const github = new LoopbackGitHub();
  const dataDir = mkdtempSync(join(tmpdir(), "de-bench-server-"));
  if (args["replay-cache"] !== undefined) cpSync(args["replay-cache"], join(dataDir, "replay-cache"), { recursive: true });
  let child: ChildProcess | undefined;
  let proxy: { host: string; close: () => Promise<void> } | undefined;
  try {
    const { host } = await github.start();
    const files = filesOf(name);
    const number = 1;
    github.pullRequest(OWNER, REPO, number, { files, title: `bench ${name}` });
    if (name === "replay") {
      github.setFile(OWNER, REPO, ".github/data-engineer.yml", "replay:\n  enabled: true\n  engine: pglite\n");
      proxy = await startTarballProxy(host, files);
    }
    const port = await freePort();
    const env: Record<string, string> = {
      ...serverEnv({ port, githubHost: proxy?.host ?? host, dataDir, logLevel: "warn" }),
      LOG_FORMAT: "json",
      ...EXTRA_ENV,
    };
    const url = `http://127.0.0.1:${port}`;
    const started = performance.now();
    const spawned = spawn(process.execPath, [...NODE_ARGS, "--import", pathToFileURL(EXIT_WITH_PARENT).href, ENTRY], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = spawned;
    let output = "";
    spawned.stdout?.setEncoding("utf8").on("data", (chunk: string) => (output = (output + chunk).slice(-20_000)));
    spawned.stderr?.setEncoding("utf8").on("data", (chunk: string) => (output = (output + chunk).slice(-20_000)));
    const pid = spawned.pid ?? -1;
    let sampledPeak = 0;
    let threadsAtPeak = 0;
    let childPeak = 0;
    let totalPeak = 0;
    const sampler = setInterval(() => {
      const status = procStatus(pid);
      if (status && status.rss > sampledPeak) {
        sampledPeak = status.rss;
        threadsAtPeak = status.threads;
      }
      let children = 0;
      for (const childPid of childrenOf(pid)) {
        const child = procStatus(childPid);
        if (!child) continue;
        children += child.rss;
        childPeak = Math.max(childPeak, child.hwm, child.rss);
      }
      totalPeak = Math.max(totalPeak, (status?.rss ?? 0) + children);
    }, 25);
    try {
      let readyzMs = 0;
      let readyzCpu = 0;
      for (;;) {
        if (spawned.exitCode !== null) throw new Error(`the server exited (${spawned.exitCode}) before /readyz answered\n${output}`);
        if ((await get(`${url}/readyz`)) === 200) {
          readyzMs = performance.now() - started;
          readyzCpu = cpuSeconds(pid);
          break;
        }
        if (performance.now() - started > 30_000) throw new Error(`no /readyz within 30 s\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      // Idle: what it holds once started and quiet (timers, the first GC done).
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const idle = procStatus(pid);
      const payload = pullRequestWebhook("opened", { owner: OWNER, repo: REPO, number });
      const reviewStarted = performance.now();
      const status = await postWebhook(url, "pull_request", payload);
      if (status >= 300) throw new Error(`the webhook was answered ${status}\n${output}`);
      const checkRun = await github.waitFor(
        (g) => g.checkRuns({ owner: OWNER, repo: REPO }).find((r) => r.status === "completed"),
        300_000,
        `the ${name} review's check run completed`,
      );
      const reviewMs = performance.now() - reviewStarted;
      // A review that failed: the server's own words (its warnings and errors) go to stderr.
      if (/failed/i.test(checkRun.output.title ?? "")) process.stderr.write(`${name}: ${checkRun.output.title}; the server logged:\n${output.slice(-4000)}\n`);
      // What the review says of the replay (the case "replay" must have run one, not reported it unavailable).
      const posted = [...github.reviews(number).map((r) => r.body), checkRun.output.summary ?? "", checkRun.output.text ?? ""].join("\n");
      const replay = /Replay\b[^\n]*/.exec(posted)?.[0]?.slice(0, 120) ?? "-";
      await new Promise((resolve) => setTimeout(resolve, 500));
      const after = procStatus(pid);
      return {
        name,
        run,
        readyzMs: Math.round(readyzMs),
        readyzCpuMs: Math.round(readyzCpu * 1000),
        idleRssMb: mb(idle?.rss ?? 0),
        idlePeakMb: mb(idle?.hwm ?? 0),
        reviewMs: Math.round(reviewMs),
        peakRssMb: mb(Math.max(after?.hwm ?? 0, sampledPeak)),
        childPeakMb: mb(childPeak),
        totalPeakMb: mb(totalPeak),
        afterRssMb: mb(after?.rss ?? 0),
        threadsAtPeak,
        cpuSeconds: cpuSeconds(pid),
        conclusion: checkRun.conclusion,
        title: checkRun.output.title,
        replay,
      };
    } finally {
      clearInterval(sampler);
    }
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child?.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
    await proxy?.close();
    await github.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results: CaseResult[] = [];
for (const name of CASES) {
  for (let run = 1; run <= RUNS; run++) {
    process.stderr.write(`${name} run ${run}…\n`);
    results.push(await runCase(name, run));
  }
}

const machine = `${hostname()}: ${cpus().length} × ${cpus()[0]?.model.trim() ?? "?"}, ${Math.round(totalmem() / 1024 ** 3)} GB, Linux ${release()}, Node ${process.version}`;
const when = new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC";
if (args.json) {
  process.stdout.write(`${JSON.stringify({ machine, when, nodeArgs: NODE_ARGS, env: EXTRA_ENV, statements: STATEMENTS, results }, null, 2)}\n`);
} else {
  const lines = [
    `bench:server — ${when}; ${machine}`,
    `node ${[...NODE_ARGS, "dist/bundle/start-server.js"].join(" ")}${Object.keys(EXTRA_ENV).length > 0 ? `; env ${args.env}` : ""}; large = ${STATEMENTS} statements`,
    `targets: /readyz ≤ 500 ms, idle < 130 MB, peak < 300 MB`,
    "",
    "| case | run | /readyz (ms) | CPU to /readyz (ms) | idle RSS (MB) | review (ms) | peak RSS (MB, VmHWM) | child peak (MB) | server + children peak (MB) | RSS after (MB) | CPU (s) | check run |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.run} | ${r.readyzMs} | ${r.readyzCpuMs} | ${r.idleRssMb} | ${r.reviewMs} | ${r.peakRssMb} | ${r.childPeakMb || "-"} | ${r.totalPeakMb} | ${r.afterRssMb} | ${r.cpuSeconds.toFixed(2)} | ${r.conclusion}: ${r.title ?? ""} |`,
    ),
    ...results.filter((r) => r.name === "replay").map((r) => `replay run ${r.run}, the review says: ${r.replay}`),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}
