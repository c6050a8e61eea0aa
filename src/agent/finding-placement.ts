import { resolveInWorkspace } from "./tools/confine.js";
import { readTextFile, splitLines } from "./tools/file-text.js";
import type { AgentFinding } from "./handoff-report.js";

/**
 * A finding must sit on the line it is about. Models count lines badly, so a finding whose
 * message quotes code (in backticks) is checked against the text of its lines: when the quote is
 * not there but is on another line of the file, the finding moves to the nearest such line; when
 * it is nowhere in the file, the finding cannot be placed and goes to the review body instead of
 * onto a line it does not describe. A finding that quotes nothing is left where it is.
 */

/** Quotes shorter than this (`id`, `t`) match too much to place anything. */
const MIN_QUOTE_CHARS = 4;

export type Placement =
  { kind: "kept"; finding: AgentFinding } | { kind: "moved"; finding: AgentFinding; from: number } | { kind: "unplaced"; finding: AgentFinding };

const normalise = (text: string) => text.replace(/\s+/g, " ").trim().toLowerCase();

/** The code quoted in a message: `inline code` spans, the longest first. */
export function quotedCode(message: string): string[] {
  return [...message.matchAll(/`([^`\n]+)`/g)]
    .map((m) => normalise(m[1] ?? ""))
    .filter((q) => q.length >= MIN_QUOTE_CHARS)
    .sort((a, b) => b.length - a.length);
}

export function placeByQuote(finding: AgentFinding, lines: readonly string[]): Placement {
  const quotes = quotedCode(finding.message);
  if (quotes.length === 0) return { kind: "kept", finding };
  const text = lines.map(normalise);
  const last = finding.endLine ?? finding.line;
  const onLines = (first: number, end: number, quote: string) =>
    text
      .slice(first - 1, end)
      .join(" ")
      .includes(quote);
  if (quotes.some((q) => onLines(finding.line, last, q))) return { kind: "kept", finding };
  for (const quote of quotes) {
    const candidates = text.flatMap((line, i) => (line.includes(quote) ? [i + 1] : []));
    if (candidates.length === 0) continue;
    const nearest = candidates.reduce((best, n) => (Math.abs(n - finding.line) < Math.abs(best - finding.line) ? n : best));
    const span = last - finding.line;
    const endLine = Math.min(lines.length, nearest + span);
    const moved: AgentFinding = { ...finding, line: nearest, ...(finding.endLine !== undefined ? { endLine } : {}) };
    return { kind: "moved", finding: moved, from: finding.line };
  }
  return { kind: "unplaced", finding };
}

/** Reads each file of the head commit once, as lines; undefined when it cannot be read. */
export function createFileLines(root: string): (path: string) => Promise<readonly string[] | undefined> {
  const cache = new Map<string, Promise<readonly string[] | undefined>>();
  return (path) => {
    let lines = cache.get(path);
    if (lines === undefined) {
      lines = (async () => {
        const confined = await resolveInWorkspace(root, path);
        if (!confined.ok) return undefined;
        const read = await readTextFile(confined.absolute, path).catch(() => undefined);
        return read?.ok === true ? splitLines(read.text) : undefined;
      })();
      cache.set(path, lines);
    }
    return lines;
  };
}
