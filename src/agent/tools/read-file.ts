import { z } from "zod";
import { resolveInWorkspace } from "./confine.js";
import { formatBytes, lineWindow, readTextFile, splitLines } from "./file-text.js";
import { MAX_FILE_BYTES, MAX_LINE_CHARS, MAX_LINES_PER_READ, MAX_PATH_CHARS, MAX_READ_CHARS } from "./limits.js";
import { formatCount, plural, toolError, toolSuccess } from "./tool.js";
import type { ReviewTool, ToolResult } from "./tool.js";

const ReadFileParams = z
  .strictObject({
    file_path: z
      .string()
      .min(1)
      .max(MAX_PATH_CHARS)
      .describe("Path of the file to read, relative to the repository root (e.g. 'db/migrate/20240101_add_users.rb')."),
    start_line: z
      .int()
      .min(1)
      .optional()
      .describe(
        "Optional: 1-based number of the first line to read. When a result says it was truncated, call again with the start_line it gives to read further.",
      ),
    end_line: z
      .int()
      .min(1)
      .optional()
      .describe(
        `Optional: 1-based number of the last line to read (inclusive). At most ${formatCount(MAX_LINES_PER_READ)} lines are returned per call.`,
      ),
  })
  .refine((p) => p.start_line === undefined || p.end_line === undefined || p.end_line >= p.start_line, {
    message: "end_line must not be less than start_line",
    path: ["end_line"],
  });

export type ReadFileParams = z.infer<typeof ReadFileParams>;

async function readFile(params: ReadFileParams, root: string): Promise<ToolResult> {
  const confined = await resolveInWorkspace(root, params.file_path);
  if (!confined.ok) return toolError(confined.type, confined.message);
  const shown = confined.relative;
  const read = await readTextFile(confined.absolute, shown);
  if (!read.ok) return toolError(read.type, read.message);

  const lines = splitLines(read.text);
  if (lines.length === 0) return toolSuccess(`File '${shown}' is empty.`, `${shown}: empty`);

  const first = params.start_line ?? 1;
  if (first > lines.length) {
    return toolError(
      "invalid_params",
      `start_line ${formatCount(first)} is past the end of '${shown}', which has ${plural(lines.length, "line")}.`,
    );
  }
  const window = lineWindow(lines, first, params.end_line ?? lines.length, {
    maxChars: MAX_READ_CHARS,
    maxLineChars: MAX_LINE_CHARS,
  });

  const notes: string[] = [];
  const whole = window.first === 1 && window.last === window.total;
  if (!whole) {
    let status = `Showing lines ${formatCount(window.first)}-${formatCount(window.last)} of ${formatCount(window.total)} of '${shown}'`;
    if (window.stoppedBy === "line_limit") status += ` (at most ${formatCount(MAX_LINES_PER_READ)} lines per call)`;
    if (window.stoppedBy === "char_limit") status += ` (at most ${formatCount(MAX_READ_CHARS)} characters per call)`;
    status += ".";
    if (window.last < window.total) status += ` To read more, call read_file with start_line: ${window.last + 1}.`;
    notes.push(status);
  }
  if (window.cutLines > 0) {
    notes.push(
      `${plural(window.cutLines, "line")} longer than ${formatCount(MAX_LINE_CHARS)} characters ${window.cutLines === 1 ? "was" : "were"} cut, marked '… [line cut: …]'.`,
    );
  }
  const header = notes.length === 0 ? "" : `[${notes.join(" ")}]\n\n`;
  const range = whole
    ? `${plural(window.total, "line")}`
    : `lines ${window.first}-${window.last} of ${formatCount(window.total)}`;
  return { ...toolSuccess(`${header}${window.text}`, `${shown}: ${range}`), filesRead: [shown] };
}

export const readFileTool: ReviewTool<ReadFileParams> = {
  name: "read_file",
  description:
    `Reads a text file of the pull request's head commit. Returns at most ${formatCount(MAX_LINES_PER_READ)} lines ` +
    `(and ${formatCount(MAX_READ_CHARS)} characters) per call; lines longer than ${formatCount(MAX_LINE_CHARS)} characters are cut. ` +
    "When the file is longer, the result says which lines it shows and the start_line to read next. " +
    "Prefer start_line and end_line for targeted reads of large files such as schema dumps. " +
    `Binary files and files over ${formatBytes(MAX_FILE_BYTES)} are not read. ` +
    "Secrets, credentials, .git and node_modules are refused.",
  parameters: ReadFileParams,
  execute: (params, ctx) => readFile(params, ctx.root),
};
