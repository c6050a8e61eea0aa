import YAML from "yaml";
import { z } from "zod";
import { DEFAULT_EXCLUDE_GLOBS, DEFAULT_INCLUDE_GLOBS } from "../migrations/relevant-files.js";
import { AnalysisConfigSchema } from "./analysis-config.js";
import { ConfigError } from "../errors.js";
import type { RuleId } from "../ids/rule-ids.js";
import { REPO_CONFIG_FILE } from "./repo-config-file.js";
import { describeRuleKeys, ruleKeyHint } from "./rule-settings.js";

/**
 * `.github/data-engineer.yml`, read from the repository's default branch only (a pull request must
 * not be able to switch its own checks off). Everything has a default; unknown keys are errors.
 * docs/data-engineer.schema.json is generated from this schema for editors (`npm run schema`).
 */
export const RepoConfigSchema = AnalysisConfigSchema.extend({
  paths: z
    .strictObject({
      include: z
        .array(z.string().min(1))
        .default([...DEFAULT_INCLUDE_GLOBS])
        .describe(
          "Globs (case-insensitive) of the files to review. Setting it replaces the default, which covers every supported framework's layout (`**/*.sql`, `**/migrations/**`, `db/**`, …).",
        ),
      exclude: z
        .array(z.string().min(1))
        .default([...DEFAULT_EXCLUDE_GLOBS])
        .describe(
          "Globs (case-insensitive) of files never reviewed, even when an include glob matches. Setting it replaces the default: node_modules, documentation and images (`*.md`, `*.txt`, `*.png`, …).",
        ),
    })
    .default({ include: [...DEFAULT_INCLUDE_GLOBS], exclude: [...DEFAULT_EXCLUDE_GLOBS] })
    .describe(
      "Which changed files are migrations or SQL: a file is reviewed when its path (or, for a rename, its old path) matches an include glob and no exclude glob. A pull request that changes none gets a passing check saying there is nothing to review.",
    ),
  dialect: z
    .literal("postgresql")
    .default("postgresql")
    .describe("The database the migrations are written for; PostgreSQL is the only one reviewed. Files of other databases are set with `dialects`."),
  failOn: z
    .enum(["error", "warning", "never"])
    .default("error")
    .describe(
      "The lowest tier that fails the `data-engineer` check run: `error` (default), `warning` (errors and warnings fail it), or `never` (advisory: the check ends neutral, findings are still posted). `review --fail-on` overrides it.",
    ),
  reviewEvent: z
    .enum(["COMMENT", "REQUEST_CHANGES"])
    .default("COMMENT")
    .describe(
      "The kind of pull request review posted when an error is found: `COMMENT` (default) or `REQUEST_CHANGES`, which asks for changes. Reviews without errors are always COMMENT. Merges are blocked by the check run, when it is required, not by this.",
    ),
  maxInlineComments: z
    .int()
    .min(0)
    .max(100)
    .default(10)
    .describe(
      "At most this many inline comments per review, 0 to 100: one comment per statement, holding every finding on it; the statements past it are listed in the review body. Default: 10.",
    ),
  docsUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      "Where rule links in comments point (http or https): `<docsUrl><rule-id>.md`, for a copy of docs/rules/ of your own. Default: data-engineer's repository docs at the running version.",
    ),
  autoReview: z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe("false: no review on opened or pushed pull requests, only when asked with `/data-engineer review`. Default: true."),
      drafts: z
        .boolean()
        .default(false)
        .describe("true: review draft pull requests too. Default: false (a draft gets a `skipped` check until it is ready for review)."),
      ignoreAuthors: z
        .array(z.string().min(1))
        .default([])
        .describe("GitHub logins (`renovate[bot]`) whose pull requests are not reviewed automatically; their check is `skipped`. Default: none."),
      ignoreLabels: z
        .array(z.string().min(1))
        .default([])
        .describe(
          "Labels that skip the automatic review of a pull request. A label counts only when someone with commands.minPermission applied it (anyone who can label could otherwise skip a required check). Default: none.",
        ),
      baseBranches: z
        .array(z.string().min(1))
        .default([])
        .describe("Review automatically only pull requests into these branches (exact names). Default: empty, every branch."),
    })
    .default({ enabled: true, drafts: false, ignoreAuthors: [], ignoreLabels: [], baseBranches: [] })
    .describe(
      "Which pull requests are reviewed without being asked; a skipped one gets a `skipped` check saying why. `/data-engineer review` applies these too.",
    ),
  agent: z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe("false: no agent, the review has the deterministic findings only. Default: true (when the server has a Gemini key)."),
      model: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, "must be a model id such as gemini-3.8-flash")
        .optional()
        .describe(
          "Gemini model id, used only when the server allows it (DATA_ENGINEER_AGENT_MODELS); otherwise the server's model is used (and the refusal logged). Default: the server's GEMINI_MODEL, else the agent definition's.",
        ),
      temperature: z
        .number()
        .min(0)
        .max(2)
        .optional()
        .describe("Sampling temperature, 0 to 2; can only lower the one the server or the agent definition sets (0.2 in the bundled definition)."),
      maxTurns: z
        .int()
        .min(1)
        .max(100)
        .optional()
        .describe("Model turns one review may take, 1 to 100; can only lower the agent definition's (20 in the bundled one)."),
      timeoutMins: z
        .number()
        .positive()
        .max(60)
        .optional()
        .describe(
          "Minutes one agent run may take, up to 60; can only lower the agent definition's (8 in the bundled one); past it the agent is asked to finish at once.",
        ),
      tokenBudget: z
        .int()
        .min(1_000)
        .optional()
        .describe("Tokens (in + out) one review may use, at least 1000; can only lower the server's DATA_ENGINEER_AGENT_TOKEN_BUDGET (400000 by default)."),
    })
    .default({ enabled: true })
    .describe(
      "The data-engineer agent (Gemini), which writes the Handoff Report and may add findings; it runs only when the server has a Gemini key. The limits here can only lower the agent definition's and the server's.",
    ),
  commands: z
    .strictObject({
      minPermission: z
        .enum(["write", "maintain", "admin"])
        .default("write")
        .describe(
          "The least role on the repository a commenter needs for any command (`write`, `maintain` or `admin`); others get a reply naming it. Also who may apply autoReview.ignoreLabels and the pause label. Default: write.",
        ),
      maxPerHour: z
        .int()
        .min(1)
        .max(100)
        .default(10)
        .describe("Commands per pull request in any hour (a sliding window), 1 to 100; more are refused with a reply saying when to try again. Default: 10."),
    })
    .default({ minPermission: "write", maxPerHour: 10 })
    .describe("`/data-engineer` commands in pull request comments (review, explain, ask, pause, …): who may run them and how often."),
  replay: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe(
          "true: replay the changed migrations in a real Postgres and report the locks it took and whether each down restores the schema. Default: false.",
        ),
      engine: z
        .enum(["pglite", "postgres"])
        .default("pglite")
        .describe(
          "`pglite` (default): the embedded PGlite, Postgres 18, nothing to set up. `postgres`: the server's DATABASE_URL, in a scratch database dropped afterwards, for your own major version.",
        ),
      deadlineSeconds: z
        .int()
        .min(5)
        .max(900)
        .default(120)
        .describe(
          "Wall-clock limit for one replay (the base history and every migration), 5 to 900 seconds; past it the review says the replay was unavailable. Default: 120.",
        ),
    })
    .default({ enabled: false, engine: "pglite", deadlineSeconds: 120 })
    .describe("Verify by replay: run the migrations in a real Postgres, up, down and up again, and read the locks from pg_locks. Off by default."),
});

export type RepoConfig = z.infer<typeof RepoConfigSchema>;

export const DEFAULT_REPO_CONFIG: RepoConfig = RepoConfigSchema.parse({});

export { REPO_CONFIG_FILE };

/** Each problem as `key "a.b": message`, the form users see in the check run. */
export function describeConfigIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      // Under `rules:` a key is a rule id: say which ones are close (a typo is the usual cause).
      const hint = (key: string) => (issue.path.length === 1 && issue.path[0] === "rules" ? ruleKeyHint(key) : "");
      return `unknown key ${issue.keys.map((k) => `"${[...issue.path, k].join(".")}"${hint(k)}`).join(", ")}`;
    }
    return `key "${issue.path.join(".")}": ${issue.message}`;
  });
}

/** Validates configuration data already parsed from YAML (Probot's context.config gives that). */
export function parseRepoConfig(data: unknown, file = REPO_CONFIG_FILE): RepoConfig {
  const result = RepoConfigSchema.safeParse(data ?? {});
  if (!result.success) throw new ConfigError(`${file}: ${describeConfigIssues(result.error).join("; ")}`, { cause: result.error });
  return result.data;
}

/** Parses and validates YAML text (for the CLI and local reviews). */
export function parseRepoConfigText(text: string, file = REPO_CONFIG_FILE): RepoConfig {
  return parseRepoConfigDocument(text, file).config;
}

/**
 * Parses and validates YAML text, and also returns the data as written (before defaults), so
 * that `/data-engineer config` can say which keys the file sets.
 */
export function parseRepoConfigDocument(text: string, file = REPO_CONFIG_FILE): { config: RepoConfig; data: unknown } {
  let data: unknown;
  try {
    data = YAML.parse(text, { schema: "core", uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError(`${file}: not valid YAML: ${(error as Error).message.split("\n")[0] ?? ""}`, { cause: error });
  }
  return { config: parseRepoConfig(data, file), data };
}

/**
 * The JSON Schema of the file, for editors (yaml-language-server and others). `rules` lists every
 * rule id with the rule's description, which the caller passes (the config does not import rules).
 */
export function repoConfigJsonSchema(ruleDescriptions: Readonly<Record<RuleId, string>>): Record<string, unknown> {
  const schema = z.toJSONSchema(RepoConfigSchema, { io: "input", target: "draft-2020-12" });
  describeRuleKeys(schema, ruleDescriptions);
  return { ...schema, title: "data-engineer configuration (.github/data-engineer.yml)" };
}
