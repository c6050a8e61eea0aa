import { constants } from "node:fs";
import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { BINARY_SNIFF_BYTES, MAX_FILE_BYTES, MAX_LINES_PER_READ } from "./limits.js";
import { formatCount } from "./tool.js";
import type { ToolErrorType } from "./tool.js";

export type TextFileRead =
  | { ok: true; text: string; bytes: number }
  | {
      ok: false;
      type: Extract<ToolErrorType, "file_not_found" | "path_refused" | "target_is_directory" | "file_too_large" | "binary_file">;
      message: string;
    };

/** "4 MiB", "1.5 MiB", "812 KiB". */
export function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  if (mib >= 1) return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KiB`;
}

async function readFully(handle: FileHandle, size: number): Promise<Buffer> {
  const buffer = Buffer.alloc(size);
  let filled = 0;
  while (filled < size) {
    const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/**
 * Reads a workspace file as UTF-8 text. `absolute` must come from resolveInWorkspace; `shown`
 * is the path the messages name. Refuses directories, special files (FIFOs, devices), files over
 * MAX_FILE_BYTES and binary files (a NUL byte in the first BINARY_SNIFF_BYTES). Throws only on
 * unexpected I/O errors.
 */
export async function readTextFile(absolute: string, shown: string): Promise<TextFileRead> {
  let handle: FileHandle;
  try {
    // O_NOFOLLOW: the path is already resolved, so a symbolic link here means it changed under us.
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    handle = await open(absolute, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      return { ok: false, type: "file_not_found", message: `File '${shown}' does not exist in the workspace.` };
    }
    if (code === "ELOOP" || code === "EACCES" || code === "EPERM" || code === "ENXIO") {
      return { ok: false, type: "path_refused", message: `File '${shown}' cannot be read and was refused.` };
    }
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) {
      return {
        ok: false,
        type: "target_is_directory",
        message: `Path '${shown}' is a directory. Use list_directory to see what it holds, or glob to find files in it.`,
      };
    }
    if (!stats.isFile()) {
      return { ok: false, type: "path_refused", message: `Path '${shown}' is not a regular file and was refused.` };
    }
    if (stats.size > MAX_FILE_BYTES) {
      return { ok: false, type: "file_too_large", message: tooLargeMessage(shown, stats.size) };
    }
    const buffer = await readFully(handle, stats.size);
    if (buffer.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
      return {
        ok: false,
        type: "binary_file",
        message: `File '${shown}' is binary (it holds NUL bytes); its content is not shown.`,
      };
    }
    return { ok: true, text: new TextDecoder("utf-8").decode(buffer), bytes: buffer.length };
  } finally {
    await handle.close();
  }
}

/** Lines of a text, without their "\n" or "\r\n"; a final line break does not start a line. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** The line, or its first `max` characters followed by a marker saying how long it was. */
export function cutLine(line: string, max: number): string {
  if (line.length <= max) return line;
  return `${line.slice(0, max)}… [line cut: ${formatCount(line.length)} characters in all]`;
}

export interface LineWindow {
  /** The lines shown, joined with "\n", long lines cut. */
  text: string;
  /** 1-based number of the first and last line shown (last < first when nothing is shown). */
  first: number;
  last: number;
  total: number;
  /** How many shown lines were cut at `maxLineChars`. */
  cutLines: number;
  /** Why fewer lines than asked for were shown, if so. */
  stoppedBy?: "line_limit" | "char_limit";
}

/**
 * Lines `first`..`last` (1-based, inclusive, clamped to the file) of `lines`, at most
 * MAX_LINES_PER_READ of them and at most `maxChars` characters; the first line is always shown.
 */
export function lineWindow(lines: readonly string[], first: number, last: number, options: { maxChars: number; maxLineChars: number }): LineWindow {
  const total = lines.length;
  const wantedLast = Math.min(last, total);
  const shown: string[] = [];
  let chars = 0;
  let cutLines = 0;
  let stoppedBy: LineWindow["stoppedBy"];
  for (let n = first; n <= wantedLast; n++) {
    if (shown.length >= MAX_LINES_PER_READ) {
      stoppedBy = "line_limit";
      break;
    }
    const raw = lines[n - 1] ?? "";
    const line = cutLine(raw, options.maxLineChars);
    if (shown.length > 0 && chars + line.length + 1 > options.maxChars) {
      stoppedBy = "char_limit";
      break;
    }
    if (line !== raw) cutLines++;
    shown.push(line);
    chars += line.length + 1;
  }
  return {
    text: shown.join("\n"),
    first,
    last: first + shown.length - 1,
    total,
    cutLines,
    ...(stoppedBy === undefined ? {} : { stoppedBy }),
  };
}

/** What the model is told about a file over MAX_FILE_BYTES: its size, and that a range can be read. */
export function tooLargeMessage(shown: string, bytes: number): string {
  return `File '${shown}' is too large: ${formatCount(bytes)} bytes (over ${formatBytes(MAX_FILE_BYTES)}). Read a range with start_line and end_line (offset/limit), at most ${formatCount(MAX_LINES_PER_READ)} lines per call, or find the lines you need with grep_search.`;
}

export interface LineRange {
  /** Lines first..last (1-based) as read, without line breaks; fewer when the file ends first. */
  lines: string[];
  /** Lines in the whole file. */
  total: number;
  /** The file holds NUL bytes near its start. */
  binary: boolean;
}

/**
 * Lines `first`..`last` of a file of any size, read as a stream so that only those lines are
 * kept in memory (the rest are counted). `absolute` must come from resolveInWorkspace.
 */
export async function readLineRange(absolute: string, first: number, last: number): Promise<LineRange> {
  const handle = await open(absolute, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  const stream = handle.createReadStream();
  const lines: string[] = [];
  const decoder = new TextDecoder("utf-8");
  let pending = "";
  let total = 0;
  let sniffed = 0;
  let binary = false;
  const take = (line: string) => {
    total++;
    if (total >= first && total <= last) lines.push(line.endsWith("\r") ? line.slice(0, -1) : line);
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (sniffed < BINARY_SNIFF_BYTES) {
      if (chunk.subarray(0, BINARY_SNIFF_BYTES - sniffed).includes(0)) binary = true;
      sniffed += chunk.length;
    }
    if (binary) break;
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf("\n");
    while (newline >= 0) {
      take(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
  }
  stream.destroy();
  await handle.close().catch(() => undefined);
  pending += decoder.decode();
  if (!binary && pending !== "") take(pending);
  return { lines, total, binary };
}
