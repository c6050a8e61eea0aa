import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { STEP_OUTPUT_NAMES } from "../../src/ci/step-outputs.js";
import { parseReviewArgs } from "../../src/cli/commands/review.js";
import { ROOT } from "../helpers/run-built.js";

/**
 * action.yml is read here (no runner exists in tests): a composite action that sets up Node 24,
 * builds the CLI where the action was checked out, and runs `review --github`. Its review step's
 * script is run with a stand-in for the CLI, to see which command line each combination of inputs
 * gives; that command line must be one the real CLI accepts, and the outputs must be the ones it writes.
 */

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  with?: Record<string, unknown>;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  "working-directory"?: string;
}

interface Action {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = YAML.parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as Action;
const steps = action.runs.steps;
const reviewStep = steps.find((s) => s.id === "review");
const ACTION_PATH = "${{ github.action_path }}";

const work = mkdtempSync(join(tmpdir(), "de-action-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("action.yml", () => {
  it("is a composite action that sets up Node 24 and builds the CLI where the action is checked out", () => {
    expect(action.name).toBe("data-engineer");
    expect(action.runs.using).toBe("composite");
    const setup = steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
    expect(String(setup?.with?.["node-version"])).toBe("24");
    const build = steps.find((s) => s.run?.includes("npm ci"));
    expect(build?.["working-directory"]).toBe(ACTION_PATH);
    expect(build?.run).toContain("npm run build");
    expect(steps.indexOf(setup ?? {})).toBeLessThan(steps.indexOf(build ?? {}));
    expect(steps.indexOf(build ?? {})).toBeLessThan(steps.indexOf(reviewStep ?? {}));
    for (const step of steps.filter((s) => s.run !== undefined)) expect(step.shell).toBe("bash");
  });

  it("runs the built CLI's review --github", () => {
    expect(reviewStep?.run).toContain(`node "${ACTION_PATH}/dist/cli/main.js"`);
    expect(reviewStep?.run).toContain("args=(review --github)");
  });

  it("has the inputs the README documents, the token defaulting to the job's", () => {
    expect(Object.keys(action.inputs).sort()).toEqual(["config-path", "fail-on", "gemini-api-key", "github-token", "sarif-file"]);
    expect(action.inputs["github-token"]?.default).toBe("${{ github.token }}");
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.required ?? false, name).toBe(false);
      expect(input.description.length, name).toBeGreaterThan(0);
    }
  });

  it("passes every input to the review step through its environment, never spliced into the script", () => {
    const env = reviewStep?.env ?? {};
    const used = Object.values(env).flatMap((value) => [...value.matchAll(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g)].map((m) => m[1]));
    expect(used.sort()).toEqual(Object.keys(action.inputs).sort());
    expect(env.GITHUB_TOKEN).toBe("${{ inputs.github-token }}");
    expect(reviewStep?.run).not.toMatch(/\$\{\{\s*inputs\./);
  });

  it("maps its outputs from the review step's outputs, which the CLI writes to GITHUB_OUTPUT", () => {
    expect(Object.keys(action.outputs).sort()).toEqual([...STEP_OUTPUT_NAMES].sort());
    for (const name of STEP_OUTPUT_NAMES) expect(action.outputs[name]?.value).toBe(`\${{ steps.${reviewStep?.id}.outputs.${name} }}`);
  });
});

describe("the review step's script", () => {
  /** A stand-in for dist/cli/main.js that records its command line and the environment the CLI reads. */
  const actionPath = join(work, "action");
  mkdirSync(join(actionPath, "dist", "cli"), { recursive: true });
  writeFileSync(
    join(actionPath, "dist", "cli", "main.js"),
    [
      'const { writeFileSync } = require("node:fs");',
      "const env = process.env;",
      "writeFileSync(env.RECORD, JSON.stringify({ argv: process.argv.slice(2), token: env.GITHUB_TOKEN ?? null, gemini: env.GEMINI_API_KEY ?? null, geminiInput: env.INPUT_GEMINI_API_KEY ?? null }));",
    ].join("\n"),
  );
  writeFileSync(join(actionPath, "dist", "package.json"), '{ "type": "commonjs" }\n');

  /** Runs the script as the runner would: expressions replaced, the step's env evaluated with `inputs` over the defaults. */
  function runStep(inputs: Record<string, string>): { argv: string[]; token: string | null; gemini: string | null; geminiInput: string | null } {
    const value = (name: string) => inputs[name] ?? (name === "github-token" ? "ghs_job-token" : (action.inputs[name]?.default ?? ""));
    const evaluate = (text: string) => text.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, name: string) => value(name)).replaceAll(ACTION_PATH, actionPath);
    const env = Object.fromEntries(Object.entries(reviewStep?.env ?? {}).map(([k, v]) => [k, evaluate(v)]));
    const record = join(mkdtempSync(join(work, "run-")), "record.json");
    // Like the runner: a non-interactive bash reading no startup files.
    const ran = spawnSync("bash", ["--noprofile", "--norc", "-e", "-c", evaluate(reviewStep?.run ?? "")], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`, RECORD: record, ...env },
      encoding: "utf8",
    });
    expect(ran.stderr).toBe("");
    expect(ran.status).toBe(0);
    return JSON.parse(readFileSync(record, "utf8")) as { argv: string[]; token: string | null; gemini: string | null; geminiInput: string | null };
  }

  it("runs review --github alone when no input is given, with the job's token and no Gemini key", () => {
    const seen = runStep({});
    expect(seen.argv).toEqual(["review", "--github"]);
    expect(seen.token).toBe("ghs_job-token");
    expect(seen.gemini).toBeNull();
  });

  it("turns each input into the option the CLI reads, and the Gemini key into GEMINI_API_KEY", () => {
    const seen = runStep({
      "config-path": "ci/data engineer.yml",
      "fail-on": "warning",
      "sarif-file": "out/results.sarif",
      "gemini-api-key": "gemini-secret",
      "github-token": "ghp_other",
    });
    expect(seen.argv).toEqual(["review", "--github", "--config", "ci/data engineer.yml", "--fail-on", "warning", "--sarif", "out/results.sarif"]);
    expect(seen.token).toBe("ghp_other");
    expect(seen.gemini).toBe("gemini-secret");
    expect(seen.geminiInput).toBeNull();
    // The real CLI accepts that command line and reads each value where the input meant it.
    const { values } = parseReviewArgs(seen.argv.slice(1));
    expect(values).toMatchObject({ github: true, config: "ci/data engineer.yml", "fail-on": "warning", sarif: "out/results.sarif" });
  });
});
