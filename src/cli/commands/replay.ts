import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_REPO_CONFIG, parseRepoConfigText, type RepoConfig } from "../../config/repo-config.js";
import { UserInputError, errorMessage } from "../../errors.js";
import { collectFiles } from "../../migrations/collect-files.js";
import { describeReplay } from "../../replay/describe.js";
import { createReplayRunner } from "../../replay/runner.js";
import { toLintText } from "../../report/lint-text.js";
import { loadSqlParser } from "../../sql/parse.js";
import { EXIT, type CliIo } from "../io.js";
import { HELP_OPTION, optionsHelpText, parseArgsOptions, type CliOptions } from "../options.js";

/** The options of `data-engineer replay`: what it parses, its help and the README's table. */
export const REPLAY_OPTIONS = {
  engine: {
    type: "string",
    value: "pglite|postgres",
    help: "`pglite`: the embedded PGlite, Postgres 18; `postgres`: DATABASE_URL's server, in a scratch database dropped afterwards (default: the configuration's replay.engine, else pglite).",
  },
  deadline: {
    type: "string",
    value: "SECONDS",
    help: "Wall-clock limit for the whole replay, 5 to 900 (default: the configuration's replay.deadlineSeconds, else 120).",
  },
  config: { type: "string", value: "FILE", help: "The configuration in YAML, as .github/data-engineer.yml: its replay and analysis settings apply." },
  format: {
    type: "string",
    default: "text",
    value: "text|json",
    help: "`text` for people (default); `json`: status, reason, engine, migrations, locks, findings, durationMs.",
  },
  help: HELP_OPTION,
} as const satisfies CliOptions;

export const REPLAY_USAGE = `Usage: data-engineer replay [dir] [options]

Replays every plain-SQL migration under dir (default: the current folder) in a real Postgres, in
order: up statement by statement (reading the locks Postgres takes), down, a comparison of the
schema with the one before up, and up again. The embedded PGlite (Postgres 18) by default;
--engine postgres uses DATABASE_URL, in a scratch database it drops afterwards.
Exit 0 when every migration passes, 1 when a replay finding is an error, 2 on usage errors,
3 when the replay could not run (the reason is printed).

${optionsHelpText(REPLAY_OPTIONS)}`;

/** `data-engineer replay`. */
export async function replay(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: parseArgsOptions(REPLAY_OPTIONS),
    });
  } catch (error) {
    io.err(`${errorMessage(error)}\n\n${REPLAY_USAGE}`);
    return EXIT.usage;
  }
  if (parsed.values.help) {
    io.out(REPLAY_USAGE);
    return EXIT.ok;
  }
  const { values, positionals } = parsed;
  let config: RepoConfig;
  try {
    if (positionals.length > 1) throw new UserInputError("replay takes one folder");
    if (values.format !== "text" && values.format !== "json") throw new UserInputError(`--format must be text or json, not "${values.format}"`);
    config = values.config ? parseRepoConfigText(await readFile(resolve(io.cwd, values.config), "utf8"), values.config) : DEFAULT_REPO_CONFIG;
    const engine = values.engine ?? config.replay.engine;
    if (engine !== "pglite" && engine !== "postgres") throw new UserInputError(`--engine must be pglite or postgres, not "${engine}"`);
    if (engine === "postgres" && !io.env?.DATABASE_URL?.trim())
      throw new UserInputError("--engine postgres needs DATABASE_URL (postgres://user:password@host:port/database)");
    const deadline = values.deadline === undefined ? config.replay.deadlineSeconds : Number(values.deadline);
    if (!Number.isInteger(deadline) || deadline < 5 || deadline > 900)
      throw new UserInputError(`--deadline must be a whole number of seconds from 5 to 900, not "${values.deadline}"`);
    config = { ...config, replay: { enabled: true, engine, deadlineSeconds: deadline } };
  } catch (error) {
    io.err(`${errorMessage(error)}\n`);
    return EXIT.usage;
  }

  let collected;
  try {
    collected = await collectFiles([positionals[0] ?? "."], io.cwd);
  } catch (error) {
    io.err(`${errorMessage(error)}\n`);
    return EXIT.usage;
  }
  await loadSqlParser();
  const runner = createReplayRunner({ env: io.env ?? {} });
  const outcome = await runner.run({ files: collected.files, changed: "all", config }, {});
  if (values.format === "json") {
    io.out(
      `${JSON.stringify({ status: outcome.status, reason: outcome.reason, engine: outcome.engine, migrations: outcome.migrations, locks: outcome.locks, findings: outcome.findings, durationMs: outcome.durationMs })}\n`,
    );
  } else {
    io.out(toLintText(outcome.findings, collected.skipped, outcome.migrations.length));
    io.out(`${describeReplay(outcome)}\n`);
  }
  if (outcome.status === "unavailable" && outcome.migrations.length === 0) return EXIT.internal;
  return outcome.findings.some((f) => f.severity === "error" && !f.acknowledged) ? EXIT.findings : EXIT.ok;
}
