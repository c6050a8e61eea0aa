import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REVIEW_TOOLS, runTool, toolDeclaration } from "../../../src/agent/tools/index.js";
import { REVIEW_TOOL_NAMES, REVIEW_TOOL_PARAMETER_NAMES } from "../../../src/agent/tool-names.js";
import { makeWorkspace, STANDARD_LAYOUT } from "./workspace.js";
import type { TempWorkspace } from "./workspace.js";

let ws: TempWorkspace;
beforeAll(async () => {
  ws = await makeWorkspace(STANDARD_LAYOUT);
});
afterAll(async () => {
  await ws.cleanup();
});

describe("runTool", () => {
  it.each([
    ["read_file", { file_path: 12 }, "file_path: Invalid input: expected string, received number"],
    ["read_file", {}, "file_path: Invalid input: expected string, received undefined"],
    ["read_file", undefined, "file_path: Invalid input: expected string, received undefined"],
    ["read_file", { file_path: "a.sql", offset: 3 }, 'Unrecognized key: "offset"'],
    ["read_file", { file_path: "a.sql", start_line: 0 }, "start_line: Too small"],
    ["read_file", { file_path: "a.sql", start_line: 1.5 }, "start_line: Invalid input: expected int, received number"],
    ["list_directory", { path: "." }, 'Unrecognized key: "path"'],
    ["glob", { pattern: "*", case_sensitive: "yes" }, "case_sensitive: Invalid input: expected boolean, received string"],
    ["grep_search", { pattern: "x", total_max_matches: 10_000 }, "total_max_matches: Too big"],
    ["read_many_files", { include: [] }, "include: Too small"],
    ["read_many_files", { include: "db" }, "include: Invalid input: expected array, received string"],
  ])("answers %s with bad arguments %j as invalid_params", async (name, args, reason) => {
    const result = await runTool(name, args, ws.ctx);
    expect(result.error?.type).toBe("invalid_params");
    expect(result.llmContent.startsWith("Error: Invalid parameters provided. Reason: ")).toBe(true);
    expect(result.llmContent).toContain(reason);
  });

  it("answers an unknown tool with an error naming the tools there are", async () => {
    const result = await runTool("run_shell_command", { command: "cat /etc/passwd" }, ws.ctx);
    expect(result.error?.type).toBe("execution_failed");
    expect(result.llmContent).toContain("Tool 'run_shell_command' is not available");
    expect(result.llmContent).toContain(REVIEW_TOOL_NAMES.join(", "));
  });

  it("turns a cancelled call into an error result instead of throwing", async () => {
    const controller = new AbortController();
    controller.abort(new Error("review cancelled"));
    const result = await runTool("glob", { pattern: "**/*" }, { root: ws.root, signal: controller.signal });
    expect(result.error?.type).toBe("execution_failed");
    expect(result.llmContent).toContain("cancelled");
  });

  it("never throws, even for a workspace that is gone", async () => {
    for (const name of REVIEW_TOOL_NAMES) {
      const args = {
        read_file: { file_path: "a" },
        list_directory: { dir_path: "." },
        glob: { pattern: "*" },
        grep_search: { pattern: "x" },
        read_many_files: { include: ["a"] },
      }[name];
      const result = await runTool(name, args, { root: `${ws.root}-missing`, signal: ws.ctx.signal });
      // read_many_files reports the path as skipped ("not found"); the others fail outright.
      if (name === "read_many_files") expect(result.llmContent).toContain("- a: not found");
      else expect(result.error, name).toBeDefined();
    }
  });
});

describe("REVIEW_TOOLS", () => {
  it("has one tool per name, in REVIEW_TOOL_NAMES order, with gemini-cli's parameter names", () => {
    expect(Object.keys(REVIEW_TOOLS)).toEqual([...REVIEW_TOOL_NAMES]);
    for (const name of REVIEW_TOOL_NAMES) {
      const tool = REVIEW_TOOLS[name];
      expect(tool.name).toBe(name);
      const declaration = toolDeclaration(tool);
      expect(declaration.parametersJsonSchema).not.toHaveProperty("$schema");
      expect(declaration.parametersJsonSchema).toMatchObject({ type: "object", additionalProperties: false });
      const properties = declaration.parametersJsonSchema.properties as Record<string, { description?: string }>;
      expect(Object.keys(properties)).toEqual([...REVIEW_TOOL_PARAMETER_NAMES[name]]);
      for (const [parameter, schema] of Object.entries(properties)) {
        expect(schema.description, `${name}.${parameter}`).toBeTruthy();
      }
    }
  });
});
