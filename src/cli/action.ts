import { main } from "./main.js";
import { EXIT, type CliIo } from "./io.js";
import { errorMessage } from "../errors.js";

/**
 * The GitHub Action's entry (action.yml, `runs.using: node24`, bundled into dist-action/): the
 * runner passes each input as the environment variable INPUT_<NAME> (upper case, the hyphens
 * kept), and this turns them into the command line of `data-engineer review --github`, as
 * `data-engineer review --github` in a workflow of one's own would run it.
 */

/** action.yml's inputs, and the option of `review` each becomes. */
export const ACTION_INPUTS = {
  "github-token": undefined,
  "config-path": "--config",
  "fail-on": "--fail-on",
  "gemini-api-key": undefined,
  "sarif-file": "--sarif",
} as const;

export type ActionInput = keyof typeof ACTION_INPUTS;

/** The environment variable the runner sets for an input. */
export function inputVariable(name: ActionInput): string {
  return `INPUT_${name.toUpperCase()}`;
}

export interface ActionRun {
  argv: string[];
  /** The CLI's environment: the token as GITHUB_TOKEN, the Gemini key as GEMINI_API_KEY, and no INPUT_ variable. */
  env: NodeJS.ProcessEnv;
}

/** The review's command line and environment for the inputs in `env`; an empty input is not given. */
export function actionRun(env: NodeJS.ProcessEnv): ActionRun {
  const input = (name: ActionInput) => env[inputVariable(name)]?.trim() ?? "";
  const argv = ["review", "--github"];
  for (const [name, option] of Object.entries(ACTION_INPUTS) as Array<[ActionInput, string | undefined]>) {
    const value = input(name);
    if (option !== undefined && value !== "") argv.push(option, value);
  }
  // No INPUT_ variable reaches the review: the Gemini key is read from GEMINI_API_KEY only, and
  // nothing the review starts (git, the agent's tools) inherits the inputs.
  const rest = Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith("INPUT_")));
  const token = input("github-token");
  const gemini = input("gemini-api-key");
  return { argv, env: { ...rest, ...(token ? { GITHUB_TOKEN: token } : {}), ...(gemini ? { GEMINI_API_KEY: gemini } : {}) } };
}

/** Runs the Action's review in this process and sets its exit code. */
export async function runAction(): Promise<void> {
  const run = actionRun(process.env);
  for (const key of Object.keys(process.env)) if (key.startsWith("INPUT_")) delete process.env[key];
  Object.assign(process.env, run.env);
  const io: CliIo = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text), cwd: process.cwd(), env: process.env };
  try {
    process.exitCode = await main(run.argv, io);
  } catch (error) {
    process.stderr.write(`data-engineer: ${errorMessage(error)}\n`);
    process.exitCode = EXIT.internal;
  }
}
