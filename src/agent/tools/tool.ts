import type { z } from "zod";
import type { ReviewToolName } from "../tool-names.js";
import { groupedDigits } from "../../report/grouped-digits.js";

/** Why a tool call failed; the message that goes with it is written for the model. */
export type ToolErrorType =
  | "invalid_params"
  | "path_not_in_workspace"
  | "path_refused"
  | "file_not_found"
  | "target_is_directory"
  | "target_is_file"
  | "file_too_large"
  | "binary_file"
  | "search_timeout"
  | "execution_failed";

/**
 * What a tool call gives back. `llmContent` goes to the model (errors included: tools never
 * throw into the loop); `display` is a one-line summary for logs and the check run.
 */
export interface ToolResult {
  llmContent: string;
  display: string;
  error?: { type: ToolErrorType; message: string };
  /** Workspace paths whose content this call returned (read_file, read_many_files). */
  filesRead?: string[];
}

export interface ToolContext {
  /** Absolute path of the workspace: the pull request's head commit, extracted. */
  root: string;
  signal: AbortSignal;
}

export interface ReviewTool<P = unknown> {
  name: ReviewToolName;
  /** What the model reads to decide when and how to call the tool. */
  description: string;
  parameters: z.ZodType<P>;
  execute(params: P, ctx: ToolContext): Promise<ToolResult>;
}

export function toolError(type: ToolErrorType, message: string, display: string = message): ToolResult {
  return { llmContent: `Error: ${message}`, display, error: { type, message } };
}

export function toolSuccess(llmContent: string, display: string): ToolResult {
  return { llmContent, display };
}

/** Why some paths were left out of a listing or search; worded so the model does not ask for them again. */
export const REFUSED_PATHS_NOTE = "the review tools never read secrets, credentials, .git, node_modules or links leading out of the workspace";

/**
 * "1,234": numbers the model reads. Whole numbers are grouped here, as toLocaleString("en-US")
 * groups them: its first call loads ICU's number formatting (~30 ms of CPU), and the tools'
 * descriptions call this when their module loads, before the server's /readyz (a --cpu-prof of
 * the start).
 */
export function formatCount(n: number): string {
  return groupedDigits(n);
}

/** "3 files", "1 file". */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : pluralForm}`;
}
