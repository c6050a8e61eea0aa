import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { openPgliteEngine } from "../src/replay/pglite-engine.js";

/**
 * The floor of the embedded replay engine's memory, without the server around it (issue 20: no
 * review over 300 MB). Each stage runs in a fresh `node` with npm start's flags and reports its
 * resident set (VmRSS) after each step and its peak (VmHWM, the kernel's own), and the same of
 * the engine's own process (PGlite runs in a child process of the stage's: src/replay/pglite-engine.ts),
 * its peak read just before it is closed; "sum" is the two peaks added (an upper bound: they need
 * not peak at the same moment):
 *
 *   node    a bare node process: what every stage starts from;
 *   cold    the engine as the first replay of a server opens it: a new cluster (initdb, in PGlite
 *           a second instance and initdb's own WASM module beside it), its snapshot (the pristine
 *           image the replay keeps), one statement, closed;
 *   warm    as every later replay opens it: from that image, one statement, a snapshot (a base
 *           image), closed.
 *
 * The engine is the project's own (src/replay/pglite-engine.ts: PGlite in a process of its own, with
 * the settings it starts Postgres with), so what is measured is what a replay pays.
 *
 * Run: npm run bench:pglite-memory [-- --runs 3]
 */

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    child: { type: "string" },
    image: { type: "string" },
  },
});

const FLAGS = ["--liftoff-only", "--max-semi-space-size=4"];

interface Reading {
  step: string;
  rssMb: number;
  /** The engine process's resident set, while it runs. */
  engineRssMb: number | undefined;
}

interface StageResult {
  readings: Reading[];
  hwmMb: number;
  /** The engine process's peak, read just before close (undefined for the bare node stage). */
  engineHwmMb: number | undefined;
}

function status(pid: number | "self" = "self"): { rssMb: number; hwmMb: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const mb = (field: string) => Math.round(Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0) / 1024);
    return { rssMb: mb("VmRSS"), hwmMb: mb("VmHWM") };
  } catch {
    return undefined;
  }
}

async function child(stage: string, image: string): Promise<void> {
  const readings: Reading[] = [];
  let enginePid: number | undefined;
  let engineHwmMb: number | undefined;
  const read = (step: string) =>
    readings.push({ step, rssMb: status()?.rssMb ?? 0, engineRssMb: enginePid === undefined ? undefined : status(enginePid)?.rssMb });
  read("start");
  if (stage !== "node") {
    const from = stage === "warm" ? new Uint8Array(readFileSync(image)) : undefined;
    const engine = await openPgliteEngine({ deadlineMs: 120_000, ...(from ? { from } : {}) });
    enginePid = engine.pid;
    read("open");
    // As the replay does: a new cluster is kept before any statement; a base after its history.
    if (stage === "cold") {
      writeFileSync(image, (await engine.snapshot()) ?? new Uint8Array());
      read("snapshot");
    }
    await engine.exec("CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL); CREATE INDEX users_email ON users (email)");
    read("statement");
    if (stage === "warm") {
      await engine.snapshot();
      read("snapshot");
    }
    engineHwmMb = enginePid === undefined ? undefined : status(enginePid)?.hwmMb;
    await engine.close();
    read("close");
  }
  const result: StageResult = { readings, hwmMb: status()?.hwmMb ?? 0, engineHwmMb };
  process.stdout.write(JSON.stringify(result));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function parent(): void {
  const runs = Number(args.runs);
  const dir = mkdtempSync(join(tmpdir(), "de-pglite-memory-"));
  const image = join(dir, "pristine.tar.gz");
  const script = fileURLToPath(import.meta.url);
  const results = new Map<string, StageResult[]>();
  try {
    for (let run = 0; run < runs; run++) {
      // cold first: it makes the image warm opens.
      for (const stage of ["node", "cold", "warm"]) {
        const out = execFileSync(process.execPath, [...FLAGS, script, "--child", stage, "--image", image], { encoding: "utf8" });
        const list = results.get(stage) ?? [];
        list.push(JSON.parse(out) as StageResult);
        results.set(stage, list);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const lines = [
    `bench:pglite-memory — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC; node ${FLAGS.join(" ")}; medians of ${runs}`,
    "",
    "| stage | RSS after each step (MB): opener / engine process | opener's peak (MB, VmHWM) | engine process's peak (MB, VmHWM) | sum of peaks (MB) |",
    "|---|---|---|---|---|",
  ];
  for (const [stage, list] of results) {
    const steps = list[0]?.readings.map((r) => r.step) ?? [];
    const after = steps
      .map((step) => {
        const of = (l: StageResult) => l.readings.find((r) => r.step === step);
        const engine = list.map((l) => of(l)?.engineRssMb).filter((mb): mb is number => mb !== undefined);
        return `${step} ${median(list.map((l) => of(l)?.rssMb ?? 0))}${engine.length > 0 ? ` / ${median(engine)}` : ""}`;
      })
      .join(", ");
    const engineHwm = list.map((l) => l.engineHwmMb).filter((mb): mb is number => mb !== undefined);
    const opener = median(list.map((l) => l.hwmMb));
    const engine = engineHwm.length > 0 ? median(engineHwm) : undefined;
    lines.push(
      `| ${stage} | ${after} | ${opener} | ${engine ?? "-"} | ${engine === undefined ? "-" : median(list.map((l) => l.hwmMb + (l.engineHwmMb ?? 0)))} |`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (args.child) await child(args.child, args.image ?? "");
else parent();
