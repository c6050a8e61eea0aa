import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { STEP_OUTPUT_NAMES } from "../../src/ci/step-outputs.js";
import { ACTION_INPUTS, actionRun, inputVariable } from "../../src/cli/action.js";
import { parseReviewArgs } from "../../src/cli/commands/review.js";
import { ROOT } from "../helpers/run-built.js";

/**
 * action.yml is read here (no runner exists in tests): a JavaScript action on the runner's Node 24
 * whose main is the committed bundle dist-action/index.js (test/bundle.test.ts checks it is
 * current). The inputs reach it as INPUT_<NAME> variables; src/cli/action.ts turns them into the
 * command line of `review --github`, which must be one the real CLI accepts. The committed bundle
 * itself is run too, with the variables the runner sets.
 */

interface Action {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value?: string }>;
  runs: { using: string; main?: string; steps?: unknown[]; pre?: string; post?: string };
}

const action = YAML.parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as Action;

const work = mkdtempSync(join(tmpdir(), "de-action-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The variables the runner sets for the inputs: each declared input, given or defaulted. */
function runnerInputs(given: Record<string, string>): NodeJS.ProcessEnv {
  const value = (name: string) => given[name] ?? (name === "github-token" ? "ghs_job-token" : (action.inputs[name]?.default ?? ""));
  return Object.fromEntries(Object.keys(action.inputs).map((name) => [`INPUT_${name.toUpperCase()}`, value(name)]));
}

describe("action.yml", () => {
  it("runs the committed bundle on the runner's Node 24: no setup, no npm ci, no build", () => {
    expect(action.name).toBe("data-engineer");
    expect(action.runs.using).toBe("node24");
    expect(action.runs.main).toBe("dist-action/index.js");
    expect(action.runs.steps).toBeUndefined();
    expect(action.runs.pre).toBeUndefined();
    const yamlWithoutComments = readFileSync(join(ROOT, "action.yml"), "utf8").replace(/^\s*#.*$/gm, "");
    expect(yamlWithoutComments).not.toMatch(/npm (ci|install|run)|tsc|setup-node/);
    expect(existsSync(join(ROOT, "dist-action/index.js"))).toBe(true);
  });

  it("has the inputs the README documents, the token defaulting to the job's, each one read by the entry", () => {
    expect(Object.keys(action.inputs).sort()).toEqual(["config-path", "fail-on", "gemini-api-key", "github-token", "sarif-file"]);
    expect(Object.keys(ACTION_INPUTS).sort()).toEqual(Object.keys(action.inputs).sort());
    expect(action.inputs["github-token"]?.default).toBe("${{ github.token }}");
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.required ?? false, name).toBe(false);
      expect(input.description.length, name).toBeGreaterThan(0);
    }
  });

  it("declares the outputs the CLI writes to GITHUB_OUTPUT", () => {
    expect(Object.keys(action.outputs).sort()).toEqual([...STEP_OUTPUT_NAMES].sort());
    for (const name of STEP_OUTPUT_NAMES) expect(action.outputs[name]?.description.length, name).toBeGreaterThan(0);
  });
});

describe("the action's entry (src/cli/action.ts)", () => {
  it("names each input's variable as the runner does: upper case, hyphens kept", () => {
    expect(inputVariable("github-token")).toBe("INPUT_GITHUB-TOKEN");
    expect(inputVariable("config-path")).toBe("INPUT_CONFIG-PATH");
  });

  it("runs review --github alone when no input is given, with the job's token and no Gemini key", () => {
    const run = actionRun({ PATH: "/usr/bin", ...runnerInputs({}) });
    expect(run.argv).toEqual(["review", "--github"]);
    expect(run.env.GITHUB_TOKEN).toBe("ghs_job-token");
    expect(run.env.GEMINI_API_KEY).toBeUndefined();
    expect(run.env.PATH).toBe("/usr/bin");
  });

  it("turns each input into the option the CLI reads, the Gemini key into GEMINI_API_KEY, and passes no INPUT_ variable on", () => {
    const run = actionRun(
      runnerInputs({
        "config-path": "ci/data engineer.yml",
        "fail-on": "warning",
        "sarif-file": "out/results.sarif",
        "gemini-api-key": "gemini-secret",
        "github-token": "ghp_other",
      }),
    );
    expect(run.argv).toEqual(["review", "--github", "--config", "ci/data engineer.yml", "--fail-on", "warning", "--sarif", "out/results.sarif"]);
    expect(run.env.GITHUB_TOKEN).toBe("ghp_other");
    expect(run.env.GEMINI_API_KEY).toBe("gemini-secret");
    expect(Object.keys(run.env).filter((key) => key.startsWith("INPUT_"))).toEqual([]);
    // The real CLI accepts that command line and reads each value where the input meant it.
    const { values } = parseReviewArgs(run.argv.slice(1));
    expect(values).toMatchObject({ github: true, config: "ci/data engineer.yml", "fail-on": "warning", sarif: "out/results.sarif" });
  });
});

describe("the committed bundle (dist-action/index.js)", () => {
  /** Runs it as the runner would: `node dist-action/index.js` with the inputs' variables. */
  function runBundle(env: NodeJS.ProcessEnv) {
    return spawnSync(process.execPath, [join(ROOT, "dist-action/index.js")], {
      cwd: work,
      env: { PATH: process.env.PATH, ...env },
      encoding: "utf8",
      timeout: 30_000,
    });
  }

  it("reads its inputs: a bad fail-on is refused as `review --fail-on` refuses it", () => {
    const ran = runBundle(runnerInputs({ "fail-on": "sometimes" }));
    expect(ran.stderr).toContain('--fail-on must be one of error, warning, never, not "sometimes"');
    expect(ran.status).toBe(2);
  });

  it("says what is missing outside a pull_request workflow, in one line, exit 2", () => {
    const event = join(work, "push.json");
    writeFileSync(event, "{}");
    const ran = runBundle({
      ...runnerInputs({}),
      GITHUB_ACTIONS: "true",
      GITHUB_REPOSITORY: "octo/repo",
      GITHUB_EVENT_NAME: "push",
      GITHUB_EVENT_PATH: event,
    });
    expect(ran.status).toBe(2);
    expect(ran.stderr).toMatch(/pull_request/);
    expect(ran.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});
