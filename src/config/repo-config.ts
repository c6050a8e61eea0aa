import YAML from "yaml";
import { z } from "zod";
import { DEFAULT_EXCLUDE_GLOBS, DEFAULT_INCLUDE_GLOBS } from "../migrations/relevant-files.js";
import { AnalysisConfigSchema } from "./analysis-config.js";
import { ConfigError } from "../errors.js";
import type { RuleId } from "../ids/rule-ids.js";
import { describeRuleKeys, ruleKeyHint } from "./rule-settings.js";

/**
 * `.github/data-engineer.yml`, read from the repository's default branch only (a pull request must
 * not be able to switch its own checks off). Everything has a default; unknown keys are errors.
 * docs/data-engineer.schema.json is generated from this schema for editors (`npm run schema`).
 */
export const RepoConfigSchema = AnalysisConfigSchema.extend({
  /** Which changed files are migrations or SQL. */
  paths: z
    .strictObject({
      include: z.array(z.string().min(1)).default([...DEFAULT_INCLUDE_GLOBS]),
      exclude: z.array(z.string().min(1)).default([...DEFAULT_EXCLUDE_GLOBS]),
    })
    .default({ include: [...DEFAULT_INCLUDE_GLOBS], exclude: [...DEFAULT_EXCLUDE_GLOBS] }),
  /** The SQL dialect of the migrations. */
  dialect: z.literal("postgresql").default("postgresql"),
  /** The lowest severity that fails the check run; `never` keeps it advisory (neutral). */
  failOn: z.enum(["error", "warning", "never"]).default("error"),
  /** The review's event when errors exist; COMMENT otherwise. */
  reviewEvent: z.enum(["COMMENT", "REQUEST_CHANGES"]).default("COMMENT"),
  /** At most this many inline comments per review; the rest go in the review body. */
  maxInlineComments: z.int().min(0).max(100).default(25),
  /**
   * Where rule links in comments point: `<docsUrl><rule-id>.md`, for a mirror of the rule pages.
   * Default: data-engineer's own repository docs at the running version.
   */
  docsUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Which pull requests are reviewed without being asked. */
  autoReview: z
    .strictObject({
      enabled: z.boolean().default(true),
      drafts: z.boolean().default(false),
      ignoreAuthors: z.array(z.string().min(1)).default([]),
      ignoreLabels: z.array(z.string().min(1)).default([]),
      /** Base branches to review; empty means all. */
      baseBranches: z.array(z.string().min(1)).default([]),
    })
    .default({ enabled: true, drafts: false, ignoreAuthors: [], ignoreLabels: [], baseBranches: [] }),
  /**
   * The data-engineer agent (Gemini), when the server has a Gemini key. The limits here can only
   * lower the agent definition's and the server's.
   */
  agent: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Gemini model id; overrides the server's GEMINI_MODEL and the agent definition. */
      model: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, "must be a model id such as gemini-3.8-flash")
        .optional(),
      temperature: z.number().min(0).max(2).optional(),
      maxTurns: z.int().min(1).max(100).optional(),
      timeoutMins: z.number().positive().max(60).optional(),
      /** Tokens (in + out) one review may use. */
      tokenBudget: z.int().min(1_000).optional(),
    })
    .default({ enabled: true }),
  /** `/data-engineer` commands in pull request comments. */
  commands: z
    .strictObject({
      /** The least permission on the repository a commenter needs for any command. */
      minPermission: z.enum(["write", "maintain", "admin"]).default("write"),
      /** Commands per pull request in any hour (a sliding window); more are refused until it slides. */
      maxPerHour: z.int().min(1).max(100).default(10),
    })
    .default({ minPermission: "write", maxPerHour: 10 }),
  /**
   * Replaying migrations in a real Postgres to verify locks and rollbacks: the embedded PGlite
   * (Postgres 18), or the server's DATABASE_URL ("postgres") for a team's own major version.
   */
  replay: z
    .strictObject({
      enabled: z.boolean().default(false),
      engine: z.enum(["pglite", "postgres"]).default("pglite"),
      /** Wall-clock limit for one replay (base history and every migration); past it the replay is reported unavailable. */
      deadlineSeconds: z.int().min(5).max(900).default(120),
    })
    .default({ enabled: false, engine: "pglite", deadlineSeconds: 120 }),
});

export type RepoConfig = z.infer<typeof RepoConfigSchema>;

export const DEFAULT_REPO_CONFIG: RepoConfig = RepoConfigSchema.parse({});

export const REPO_CONFIG_FILE = ".github/data-engineer.yml";

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
