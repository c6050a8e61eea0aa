import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadAgentDefinition, loadFrontMatterParser, parseAgentDefinition } from "../../src/agent/definition.js";
import { REVIEW_TOOL_NAMES } from "../../src/agent/tool-names.js";
import { AgentDefinitionError } from "../../src/errors.js";
import { ROOT } from "../helpers/run-built.js";

// parseAgentDefinition needs gray-matter loaded (it is loaded on first use).
await loadFrontMatterParser();

const SEED = `${ROOT}test/fixtures/agents/seed-data-engineer.md`;
const SHARED_SEED = `${ROOT}../shared/seed-data-engineer.md`;

const VALID_FRONT = `name: reviewer
kind: local
description: Reviews things.
tools: [read_file]`;

function definition(front: string, body = "Review the migrations."): string {
  return `---\n${front}\n---\n\n${body}\n`;
}

function problems(source: string, file = "agents/broken.md"): string[] {
  try {
    parseAgentDefinition(source, file);
  } catch (error) {
    expect(error).toBeInstanceOf(AgentDefinitionError);
    expect((error as AgentDefinitionError).message.startsWith(`${file}: `)).toBe(true);
    return [...(error as AgentDefinitionError).problems];
  }
  throw new Error("expected the definition to be rejected");
}

describe("agent definitions", () => {
  it("loads the original seed definition unchanged", async () => {
    const seed = await loadAgentDefinition(SEED);
    expect(seed).toMatchObject({ name: "data-engineer", kind: "local", temperature: 0.2, maxTurns: 20, timeoutMins: 8 });
    expect(seed.tools).toHaveLength(11);
    expect(seed.prompt).toContain("## Output Contract");
    expect(seed.unavailableTools).toEqual(["write_file", "replace", "run_shell_command", "write_todos", "ask_user", "google_web_search"]);
  });

  it.runIf(existsSync(SHARED_SEED))("keeps the fixture byte-identical to the shared seed", () => {
    expect(readFileSync(SEED, "utf8")).toBe(readFileSync(SHARED_SEED, "utf8"));
  });

  it("loads agents/data-engineer.md with read-only tools and the Handoff Report contract", async () => {
    const agent = await loadAgentDefinition(`${ROOT}agents/data-engineer.md`);
    expect(agent.name).toBe("data-engineer");
    expect(agent.tools).toEqual([...REVIEW_TOOL_NAMES]);
    expect(agent.unavailableTools).toEqual([]);
    expect(agent.prompt).toContain("Handoff Report");
    for (const section of [
      "## Decision Frameworks",
      "### Migration Safety Protocol",
      "## Anti-Patterns",
      "### Part 1 — Task Report",
      "### Part 2 — Downstream Context",
    ]) {
      expect(agent.prompt).toContain(section);
    }
  });

  it.each([
    ["a misspelt key", definition(`${VALID_FRONT}\nmax_turn: 5`), 'unknown key "max_turn" (did you mean "max_turns"?)'],
    ["a temperature out of range", definition(`${VALID_FRONT}\ntemperature: 3`), 'key "temperature": Too big: expected number to be <=2'],
    ["a missing name", definition(VALID_FRONT.replace("name: reviewer\n", "")), 'missing key "name"'],
    ["another kind", definition(VALID_FRONT.replace("kind: local", "kind: remote")), 'key "kind": Invalid input: expected "local"'],
    [
      "tools as a string",
      definition(VALID_FRONT.replace("tools: [read_file]", "tools: read_file")),
      'key "tools": Invalid input: expected array, received string',
    ],
    ["a fractional max_turns", definition(`${VALID_FRONT}\nmax_turns: 2.5`), 'key "max_turns": Invalid input: expected int, received number'],
    ["max_turns over 100", definition(`${VALID_FRONT}\nmax_turns: 101`), 'key "max_turns": Too big: expected number to be <=100'],
    ["a zero timeout", definition(`${VALID_FRONT}\ntimeout_mins: 0`), 'key "timeout_mins": Too small: expected number to be >0'],
    ["a tool listed twice", definition(VALID_FRONT.replace("[read_file]", "[read_file, read_file]")), 'key "tools": lists a tool twice'],
  ])("rejects %s, naming the key", (_what, source, expected) => {
    expect(problems(source)).toContain(expected);
  });

  it.each([
    ["invalid YAML, with its line", definition(`${VALID_FRONT}\nmodel: "unclosed`), /^front matter is not valid YAML at line 6: Missing closing "quote$/],
    ["a duplicated key", definition(`${VALID_FRONT}\nname: again`), /^front matter is not valid YAML at line 6: Map keys must be unique$/],
    ["a list instead of a mapping", definition("- name\n- kind"), /^front matter must be a mapping of keys/],
    ["no front matter", "You are a reviewer.\n", /^has no front matter/],
    ["front matter never closed", `---\n${VALID_FRONT}\n\nReview.\n`, /^front matter is not closed/],
    ["an empty prompt", definition(VALID_FRONT, "   "), /^has no prompt/],
  ])("rejects %s", (_what, source, expected) => {
    expect(problems(source)).toEqual([expect.stringMatching(expected)]);
  });

  it("never runs JavaScript front matter", () => {
    const source = "---js\n{ name: (globalThis.agentDefinitionRan = true, 'x') }\n---\nPrompt\n";
    expect(problems(source)[0]).toMatch(/^has no front matter/);
    const sneaky = "---\n---js\n{ name: (globalThis.agentDefinitionRan = true, 'x') }\n---\nPrompt\n";
    expect(() => parseAgentDefinition(sneaky, "agents/sneaky.md")).toThrow(AgentDefinitionError);
    expect((globalThis as { agentDefinitionRan?: boolean }).agentDefinitionRan).toBeUndefined();
  });

  it("keeps dates and other YAML surprises as the strings written", () => {
    const agent = parseAgentDefinition(definition(`${VALID_FRONT.replace("Reviews things.", "2026-01-15")}\nmodel: 2026-01-15`), "a.md");
    expect(agent.description).toBe("2026-01-15");
    expect(agent.model).toBe("2026-01-15");
  });

  it("shares nothing between two parses of the same text", () => {
    const source = definition(VALID_FRONT);
    const first = parseAgentDefinition(source, "a.md");
    first.tools.push("write_file");
    const second = parseAgentDefinition(source, "a.md");
    expect(second.tools).toEqual(["read_file"]);
  });

  it("reads a definition written for gemini-cli's loader: kind by default, inherit, display_name, underscores, older tool names", () => {
    const agent = parseAgentDefinition(
      definition(
        "name: db_reviewer\ndescription: Reviews.\ndisplay_name: DB Reviewer\nmodel: inherit\ntools: [search_file_content, read_file, write_file, ask_user, google_web_search, run_shell_command]",
      ),
      "a.md",
    );
    expect(agent).toMatchObject({ name: "db_reviewer", kind: "local", displayName: "DB Reviewer", model: undefined });
    expect(agent.tools).toEqual(["grep_search", "read_file", "write_file", "ask_user", "google_web_search", "run_shell_command"]);
    // Writing, shell, web and asking the user stay refused.
    expect(agent.unavailableTools).toEqual(["write_file", "ask_user", "google_web_search", "run_shell_command"]);
  });

  it("gives every read tool for tools: ['*'] or no tools, and lists MCP servers as unavailable", () => {
    const star = parseAgentDefinition(definition("name: r\ndescription: R.\ntools: ['*']\nmcp_servers:\n  pg:\n    command: psql"), "a.md");
    expect(star.tools).toEqual([...REVIEW_TOOL_NAMES]);
    expect(star.unavailableTools).toEqual(["mcp_servers.pg"]);
    expect(parseAgentDefinition(definition("name: r\ndescription: R."), "a.md").tools).toEqual([...REVIEW_TOOL_NAMES]);
    expect(parseAgentDefinition(definition("name: r\ndescription: R.\ntools: [read_*]"), "a.md").tools).toEqual(["read_file", "read_many_files"]);
  });

  it("names the file it cannot read", async () => {
    await expect(loadAgentDefinition("agents/missing.md")).rejects.toThrow(/^agents\/missing\.md: cannot be read/);
  });
});
