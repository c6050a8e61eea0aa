/** One line of a text: [start, end) excludes the line break, `next` is where the following line starts. */
export interface Line {
  /** 1-based. */
  number: number;
  start: number;
  end: number;
  next: number;
  text: string;
}

/** The lines of a text; a final line break does not open another line ("a\nb\n" has two). */
export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  let number = 1;
  while (start < text.length) {
    const newline = text.indexOf("\n", start);
    const next = newline < 0 ? text.length : newline + 1;
    let end = newline < 0 ? text.length : newline;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    lines.push({ number, start, end, next, text: text.slice(start, end) });
    start = next;
    number++;
  }
  return lines;
}

/** How many line breaks ("\n") the text has before char offset `end`. */
export function lineBreaksBefore(text: string, end: number): number {
  let count = 0;
  // indexOf scans natively, several times faster than a loop over charCodeAt.
  for (let at = text.indexOf("\n"); at >= 0 && at < end; at = text.indexOf("\n", at + 1)) count++;
  return count;
}
