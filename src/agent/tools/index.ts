import { z } from "zod";
import { errorMessage } from "../../errors.js";
import { isReviewToolName, REVIEW_TOOL_NAMES } from "../tool-names.js";
import type { ReviewToolName } from "../tool-names.js";
import { globTool } from "./glob.js";
import { grepSearchTool } from "./grep-search.js";
import { listDirectoryTool } from "./list-directory.js";
import { readFileTool } from "./read-file.js";
import { readManyFilesTool } from "./read-many-files.js";
import { toolError } from "./tool.js";
import type { ReviewTool, ToolContext, ToolResult } from "./tool.js";

export type { ReviewTool, ToolContext, ToolErrorType, ToolResult } from "./tool.js";

/** The review agent's tools by name, in REVIEW_TOOL_NAMES order. */
export const REVIEW_TOOLS: Readonly<Record<ReviewToolName, ReviewTool>> = Object.freeze({
  read_file: readFileTool,
  list_directory: listDirectoryTool,
  glob: globTool,
  grep_search: grepSearchTool,
  read_many_files: readManyFilesTool,
});

/** What the model is told about a tool: Gemini's FunctionDeclaration with a JSON schema. */
export interface ToolDeclaration {
  name: string;
  description: string;
  parametersJsonSchema: Record<string, unknown>;
}

export function toolDeclaration(tool: ReviewTool): ToolDeclaration {
  const schema: Record<string, unknown> = { ...z.toJSONSchema(tool.parameters, { io: "input" }) };
  delete schema.$schema;
  return { name: tool.name, description: tool.description, parametersJsonSchema: schema };
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.map(String).join(".")}: ${issue.message}` : issue.message)).join("; ");
}

/** The message, without the server's path to the workspace. */
function withoutRoot(message: string, root: string): string {
  return root.length > 1 ? message.split(root).join("<workspace>") : message;
}

/**
 * Validates the model's arguments and runs the tool. Never throws: an unknown tool, invalid
 * arguments, a cancelled call or a failing tool all come back as an error result for the model.
 */
export async function runTool(name: string, args: unknown, ctx: ToolContext): Promise<ToolResult> {
  if (!isReviewToolName(name)) {
    return toolError("execution_failed", `Tool '${name}' is not available. Available tools: ${REVIEW_TOOL_NAMES.join(", ")}.`, `unknown tool ${name}`);
  }
  const tool = REVIEW_TOOLS[name];
  try {
    const parsed = tool.parameters.safeParse(args ?? {});
    if (!parsed.success) {
      const reason = describeIssues(parsed.error);
      return {
        llmContent: `Error: Invalid parameters provided. Reason: ${reason}`,
        display: `${name}: invalid parameters`,
        error: { type: "invalid_params", message: reason },
      };
    }
    return await tool.execute(parsed.data, ctx);
  } catch (error) {
    if (ctx.signal.aborted) return toolError("execution_failed", `The ${name} call was cancelled.`);
    return toolError("execution_failed", `${name} failed: ${withoutRoot(errorMessage(error), ctx.root)}`);
  }
}
