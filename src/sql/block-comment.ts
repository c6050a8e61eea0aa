/**
 * Where a block comment that starts at `from` (at its `/*`) ends: the index just past its closing
 * `*` + `/`, or the end of the text when it is never closed. Postgres block comments nest, so the
 * comment closes only when every `/*` inside it has been closed.
 */
export function blockCommentEnd(text: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < text.length) {
    if (text.startsWith("/*", i)) {
      depth++;
      i += 2;
    } else if (text.startsWith("*/", i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return i;
}
