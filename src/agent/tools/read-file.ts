import { z } from "zod";
import { resolveInWorkspace } from "./confine.js";
import { formatBytes, lineWindow, readLineRange, readTextFile, splitLines } from "./file-text.js";
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
      .describe(`Optional: 1-based number of the last line to read (inclusive). At most ${formatCount(MAX_LINES_PER_READ)} lines are returned per call.`),
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
  if (!read.ok && read.type === "file_too_large" && (params.start_line !== undefined || params.end_line !== undefined)) {
    return readLargeFileRange(params, confined.absolute, shown);
  }
  if (!read.ok) return toolError(read.type, read.message);

  const lines = splitLines(read.text);
  if (lines.length === 0) return toolSuccess(`File '${shown}' is empty.`, `${shown}: empty`);

  const first = params.start_line ?? 1;
  if (first > lines.length) {
    return toolError("invalid_params", `start_line ${formatCount(first)} is past the end of '${shown}', which has ${plural(lines.length, "line")}.`);
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
  const range = whole ? `${plural(window.total, "line")}` : `lines ${window.first}-${window.last} of ${formatCount(window.total)}`;
  return { ...toolSuccess(`${header}${window.text}`, `${shown}: ${range}`), filesRead: [shown] };
}

/** A range of a file over MAX_FILE_BYTES, streamed: at most MAX_LINES_PER_READ lines. */
async function readLargeFileRange(params: ReadFileParams, absolute: string, shown: string): Promise<ToolResult> {
  const first = params.start_line ?? 1;
  const last = Math.min(params.end_line ?? first + MAX_LINES_PER_READ - 1, first + MAX_LINES_PER_READ - 1);
  const range = await readLineRange(absolute, first, last);
  if (range.binary) return toolError("binary_file", `File '${shown}' is binary (it holds NUL bytes); its content is not shown.`);
  if (first > range.total) {
    return toolError("invalid_params", `start_line ${formatCount(first)} is past the end of '${shown}', which has ${plural(range.total, "line")}.`);
  }
  const window = lineWindow(range.lines, 1, range.lines.length, { maxChars: MAX_READ_CHARS, maxLineChars: MAX_LINE_CHARS });
  const shownLast = first + window.last - 1;
  let status = `Showing lines ${formatCount(first)}-${formatCount(shownLast)} of ${formatCount(range.total)} of '${shown}', a large file read by range.`;
  if (shownLast < range.total) status += ` To read more, call read_file with start_line: ${shownLast + 1}.`;
  return { ...toolSuccess(`[${status}]\n\n${window.text}`, `${shown}: lines ${first}-${shownLast} of ${formatCount(range.total)}`), filesRead: [shown] };
}

export const readFileTool: ReviewTool<ReadFileParams> = {
  name: "read_file",
  description:
    `Reads a text file of the pull request's head commit. Returns at most ${formatCount(MAX_LINES_PER_READ)} lines ` +
    `(and ${formatCount(MAX_READ_CHARS)} characters) per call; lines longer than ${formatCount(MAX_LINE_CHARS)} characters are cut. ` +
    "When the file is longer, the result says which lines it shows and the start_line to read next. " +
    "Prefer start_line and end_line for targeted reads of large files such as schema dumps. " +
    `Binary files are not read; a file over ${formatBytes(MAX_FILE_BYTES)} is read only by range (start_line and end_line). ` +
    "Secrets, credentials, .git and node_modules are refused.",
  parameters: ReadFileParams,
  execute: (params, ctx) => readFile(params, ctx.root),
};
