const OPENERS = "([{";
const CLOSERS = ")]}";

/** The offset of the bracket that closes the one at `open` (in masked code), or -1. */
export function matchingBracket(masked: string, open: number): number {
  let depth = 0;
  for (let i = open; i < masked.length; i++) {
    const char = masked.charAt(i);
    if (OPENERS.includes(char)) depth++;
    else if (CLOSERS.includes(char) && --depth === 0) return i;
  }
  return -1;
}

export function skipSpaces(masked: string, from: number, includeNewlines = true): number {
  const pattern = includeNewlines ? /\s/ : /[ \t]/;
  let i = from;
  while (i < masked.length && pattern.test(masked.charAt(i))) i++;
  return i;
}

/** One argument of a call: its range in the text and its masked text, trimmed. */
export interface Argument {
  start: number;
  end: number;
  masked: string;
}

/** The top-level comma-separated parts of [start, end) in masked code (the inside of a call). */
export function splitArguments(masked: string, start: number, end: number): Argument[] {
  const parts: Argument[] = [];
  let depth = 0;
  let partStart = start;
  const push = (to: number): void => {
    const raw = masked.slice(partStart, to);
    const trimmed = raw.trim();
    if (trimmed === "") return;
    const lead = raw.length - raw.trimStart().length;
    parts.push({ start: partStart + lead, end: partStart + lead + trimmed.length, masked: trimmed });
  };
  for (let i = start; i < end; i++) {
    const char = masked.charAt(i);
    if (OPENERS.includes(char)) depth++;
    else if (CLOSERS.includes(char)) depth--;
    else if (char === "," && depth === 0) {
      push(i);
      partStart = i + 1;
    }
  }
  push(end);
  return parts;
}

/**
 * Where a command-style call's arguments end (Ruby `remove_column :a, :b`, Elixir `execute "…"`):
 * at the end of the line, unless a bracket is still open or the line ends with a comma or a
 * backslash. `;` ends it too.
 */
export function commandArgumentsEnd(masked: string, from: number): number {
  let depth = 0;
  for (let i = from; i < masked.length; i++) {
    const char = masked.charAt(i);
    if (OPENERS.includes(char)) depth++;
    else if (CLOSERS.includes(char)) {
      if (--depth < 0) return i;
    } else if (depth === 0 && char === ";") return i;
    else if (depth === 0 && char === "\n") {
      const before = masked.slice(from, i).trimEnd();
      if (!before.endsWith(",") && !before.endsWith("\\")) return i;
    }
  }
  return masked.length;
}
