import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import type matter from "gray-matter";
import YAML from "yaml";
import { z } from "zod";
import { AgentDefinitionError, errorMessage } from "../errors.js";
import { isReviewToolName, LEGACY_TOOL_NAMES, REVIEW_TOOL_NAMES } from "./tool-names.js";

/**
 * The front matter of an agent definition (agents/*.md): the keys gemini-cli's loader accepts for
 * a local agent, and nothing else. Where gemini-cli has no default we keep ours (temperature,
 * max_turns, timeout_mins); `mcp_servers` is accepted but never started (the review is read-only
 * and runs no programs): its servers are listed as unavailable.
 */
export const AgentFrontMatterSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "must be lower-case letters, digits, dashes and underscores"),
  kind: z.literal("local").default("local"),
  description: z.string().trim().min(1, "must not be empty"),
  display_name: z.string().trim().min(1, "must not be empty").optional(),
  tools: z
    .array(z.string().regex(/^[a-z*][a-z0-9_*]*$/, "must be a tool name such as read_file, or '*' for every tool"))
    .refine((tools) => new Set(tools).size === tools.length, "lists a tool twice")
    .optional(),
  mcp_servers: z.record(z.string(), z.unknown()).optional(),
  model: z.string().trim().min(1, "must not be empty").optional(),
  temperature: z.number().min(0).max(2).default(0.2),
  max_turns: z.int().min(1).max(100).default(20),
  timeout_mins: z.number().positive().default(8),
});

/** `model: inherit` (gemini-cli's default): the model the server is configured with. */
export const INHERIT_MODEL = "inherit";

/**
 * The definition's tool list as this review reads it: older names mapped, `*` (or a pattern such
 * as `read_*`) expanded to the read tools it matches, in the order written, without repeats.
 * Omitted, as in gemini-cli, it means every tool: here, every read tool.
 */
export function resolveToolNames(listed: readonly string[] | undefined): string[] {
  const out: string[] = [];
  const add = (name: string) => {
    if (!out.includes(name)) out.push(name);
  };
  for (const raw of listed ?? ["*"]) {
    const name = LEGACY_TOOL_NAMES[raw] ?? raw;
    if (!name.includes("*")) {
      add(name);
      continue;
    }
    const pattern = new RegExp(
      `^${name
        .split("*")
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join("[a-z0-9_]*")}$`,
    );
    for (const tool of REVIEW_TOOL_NAMES) if (pattern.test(tool)) add(tool);
  }
  return out;
}

export type AgentFrontMatter = z.infer<typeof AgentFrontMatterSchema>;

export interface AgentDefinition {
  /** Where it was read from, as given. */
  file: string;
  name: string;
  kind: "local";
  description: string;
  displayName?: string;
  /** The tools it lists, resolved: older names mapped, wildcards expanded to the read tools. */
  tools: string[];
  /** Undefined for `inherit` or no model: the server's model. */
  model: string | undefined;
  temperature: number;
  maxTurns: number;
  timeoutMins: number;
  /** The Markdown body: the system prompt. */
  prompt: string;
  /** Tools the definition lists that the review agent does not have: they will be refused. */
  unavailableTools: string[];
}

const KNOWN_KEYS = Object.keys(AgentFrontMatterSchema.shape);

/** YAML 1.2 core schema: dates stay strings, no custom tags, bounded aliases, no duplicate keys. */
function parseYaml(source: string): object {
  const value: unknown = YAML.parse(source, { schema: "core", uniqueKeys: true, maxAliasCount: 100, prettyErrors: true });
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new FrontMatterShapeError();
  }
  return value;
}

class FrontMatterShapeError extends Error {}

function refuseLanguage(): never {
  throw new Error("front matter must be YAML; other front matter languages are not accepted");
}

/** A sane edit distance for "did you mean" on misspelt keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

function suggestKey(key: string): string {
  const best = KNOWN_KEYS.map((known) => ({ known, d: distance(key, known) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= 2 ? ` (did you mean "${best.known}"?)` : "";
}

function describeIssues(error: z.ZodError, data: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) problems.push(`unknown key "${key}"${suggestKey(key)}`);
      continue;
    }
    const key = issue.path.map(String).join(".");
    const top = String(issue.path[0] ?? "");
    if (issue.path.length === 1 && !(top in data)) problems.push(`missing key "${key}"`);
    else problems.push(`key "${key}": ${issue.message}`);
  }
  return problems;
}

let grayMatter: typeof matter | undefined;

/**
 * Loads gray-matter (and js-yaml, esprima behind it); parseAgentDefinition needs it done first.
 * It is loaded with the first definition read, not when the server starts: a server without a
 * Gemini key never reads one (issue 20, /readyz within 0.5 s). A dynamic import, not a require,
 * so that the Action's single-file bundle still carries it.
 */
export async function loadFrontMatterParser(): Promise<void> {
  grayMatter ??= (await import("gray-matter")).default;
}

function frontMatterParser(): typeof matter {
  if (!grayMatter) throw new Error("parseAgentDefinition called before loadFrontMatterParser(): gray-matter is loaded on first use");
  return grayMatter;
}

/**
 * Parses one agent definition. Every problem names the file and the key; nothing YAML-specific
 * (dates, shared objects from gray-matter's cache, JavaScript front matter) leaks through.
 */
export function parseAgentDefinition(source: string, file: string): AgentDefinition {
  if (!/^---[ \t]*\r?\n/.test(source)) {
    throw new AgentDefinitionError(file, ["has no front matter: it must start with a line of three dashes (---)"]);
  }
  if (!/\r?\n---[ \t]*(\r?\n|$)/.test(source.slice(3))) {
    throw new AgentDefinitionError(file, ["front matter is not closed: add a line of three dashes (---) after it"]);
  }
  let parsed: matter.GrayMatterFile<string>;
  try {
    parsed = frontMatterParser()(source, {
      engines: { yaml: parseYaml, javascript: refuseLanguage, js: refuseLanguage, json: refuseLanguage },
    });
  } catch (error) {
    if (error instanceof FrontMatterShapeError) {
      throw new AgentDefinitionError(file, ["front matter must be a mapping of keys (name: …, kind: …)"]);
    }
    // gray-matter hands the YAML over from the newline after the opening dashes, so YAML's line
    // numbers are already the file's.
    const line = error instanceof YAML.YAMLError ? error.linePos?.[0]?.line : undefined;
    const where = line !== undefined ? ` at line ${line}` : "";
    const message = (errorMessage(error).split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
    throw new AgentDefinitionError(file, [`front matter is not valid YAML${where}: ${message}`], { cause: error });
  }

  const data = parsed.data as Record<string, unknown>;
  const result = AgentFrontMatterSchema.safeParse(data);
  if (!result.success) {
    throw new AgentDefinitionError(file, describeIssues(result.error, data), { cause: result.error });
  }
  const prompt = parsed.content.trim();
  if (prompt === "") throw new AgentDefinitionError(file, ["has no prompt: write it below the front matter"]);

  const fm = result.data;
  const tools = resolveToolNames(fm.tools);
  const mcpServers = Object.keys(fm.mcp_servers ?? {}).map((server) => `mcp_servers.${server}`);
  return {
    file,
    name: fm.name,
    kind: fm.kind,
    description: fm.description,
    ...(fm.display_name !== undefined ? { displayName: fm.display_name } : {}),
    tools,
    model: fm.model === INHERIT_MODEL ? undefined : fm.model,
    temperature: fm.temperature,
    maxTurns: fm.max_turns,
    timeoutMins: fm.timeout_mins,
    prompt,
    unavailableTools: [...tools.filter((tool) => !isReviewToolName(tool)), ...mcpServers],
  };
}

export async function loadAgentDefinition(file: string): Promise<AgentDefinition> {
  let source: string;
  try {
    source = await readFile(file, "utf8");
  } catch (error) {
    throw new AgentDefinitionError(file, [`cannot be read: ${errorMessage(error)}`], { cause: error });
  }
  await loadFrontMatterParser();
  return parseAgentDefinition(source, file);
}

/** Every `*.md` file directly in `dir`, sorted by name. */
export async function listAgentDefinitionFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".md"))
    .map((entry) => join(dir, entry.name))
    .sort();
}
