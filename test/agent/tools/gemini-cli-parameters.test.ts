import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REVIEW_TOOLS, runTool, toolDeclaration } from "../../../src/agent/tools/index.js";
import { REVIEW_TOOL_NAMES, REVIEW_TOOL_PARAMETER_NAMES } from "../../../src/agent/tool-names.js";
import { makeWorkspace, type TempWorkspace } from "./workspace.js";

/**
 * gemini-cli's current declarations of the five read tools (parameter names and types, written
 * down from its source in the fixture) replayed as calls that set every parameter: a model that
 * learnt the tools there must never be refused for a parameter we do not know.
 */

type Kind = "string" | "string[]" | "boolean" | "integer" | { [name: string]: Kind };
const fixture = JSON.parse(readFileSync(new URL("./fixtures/gemini-cli-tool-parameters.json", import.meta.url), "utf8")) as {
  tools: Record<string, Record<string, Kind>>;
};

/** A plausible value for each parameter, so that the call does what the model would ask. */
const VALUES: Record<string, unknown> = {
  file_path: "db/migrate/001.sql",
  dir_path: "db",
  pattern: "orders",
  include_pattern: "*.sql",
  exclude_pattern: "^--",
  include: ["db/migrate/*.sql"],
  exclude: ["*.log"],
  ignore: ["*.log"],
  start_line: 1,
  end_line: 2,
  context: 1,
  after: 1,
  before: 1,
  max_matches_per_file: 5,
  total_max_matches: 10,
};

function valueFor(name: string, kind: Kind): unknown {
  if (typeof kind === "object") return Object.fromEntries(Object.entries(kind).map(([k, v]) => [k, valueFor(k, v)]));
  if (name in VALUES) return VALUES[name];
  if (kind === "boolean") return false;
  if (kind === "integer") return 1;
  return kind === "string[]" ? ["db"] : "db";
}

let ws: TempWorkspace;
beforeAll(async () => {
  ws = await makeWorkspace({ "db/migrate/001.sql": "-- orders\nALTER TABLE orders ADD COLUMN status text;\n", "db/debug.log": "orders\n" });
});
afterAll(async () => {
  await ws.cleanup();
});

describe("gemini-cli's tool declarations replayed against ours", () => {
  it("cover the five read tools", () => {
    expect(Object.keys(fixture.tools).sort()).toEqual([...REVIEW_TOOL_NAMES].sort());
  });

  for (const [tool, parameters] of Object.entries(fixture.tools)) {
    it(`${tool}: a call with every parameter gemini-cli declares is accepted and runs`, async () => {
      const args = Object.fromEntries(Object.entries(parameters).map(([name, kind]) => [name, valueFor(name, kind)]));
      const result = await runTool(tool, args, ws.ctx);
      expect(result.error?.type, result.llmContent).not.toBe("invalid_params");
      expect(result.error, result.llmContent).toBeUndefined();
    });

    it(`${tool}: declares every parameter name gemini-cli declares`, () => {
      const declared = toolDeclaration(REVIEW_TOOLS[tool as keyof typeof REVIEW_TOOLS]).parametersJsonSchema as { properties: Record<string, unknown> };
      expect(Object.keys(declared.properties).sort()).toEqual(Object.keys(parameters).sort());
      expect([...REVIEW_TOOL_PARAMETER_NAMES[tool as keyof typeof REVIEW_TOOL_PARAMETER_NAMES]].sort()).toEqual(Object.keys(parameters).sort());
    });
  }
});
