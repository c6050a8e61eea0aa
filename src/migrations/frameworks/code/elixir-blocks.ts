import { matchingBracket, skipSpaces } from "./brackets.js";
import type { CodeBlock } from "./code-block.js";

/** The offset of the `end` closing a `do` block opened just before `from` (masked Elixir); `fn … end` nests. */
export function elixirBlockEnd(masked: string, from: number): number | undefined {
  const keyword = /\b(do|fn|end)\b/g;
  keyword.lastIndex = from;
  let depth = 1;
  for (let match = keyword.exec(masked); match; match = keyword.exec(masked)) {
    const word = match[1] ?? "";
    const before = masked.charAt(match.index - 1);
    const after = masked.charAt(match.index + word.length);
    if (before === "." || before === ":" || after === ":" || after === "?" || after === "!") continue;
    if (word === "end") {
      if (--depth === 0) return match.index;
    } else depth++;
  }
  return undefined;
}

/** `def name do … end` and `def name, do: expression`. */
export function findElixirFunctions(masked: string, names: readonly string[]): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const definition = /\bdefp?[ \t]+([a-z_]\w*[?!]?)/g;
  for (let match = definition.exec(masked); match; match = definition.exec(masked)) {
    const name = match[1] ?? "";
    if (!names.includes(name)) continue;
    let position = skipSpaces(masked, match.index + match[0].length, false);
    if (masked.charAt(position) === "(") position = skipSpaces(masked, matchingBracket(masked, position) + 1, false);
    const oneLiner = /^,\s*do:/.exec(masked.slice(position, position + 40));
    if (oneLiner) {
      const bodyStart = position + oneLiner[0].length;
      const lineEnd = masked.indexOf("\n", bodyStart);
      blocks.push({ name, defStart: match.index, bodyStart, bodyEnd: lineEnd < 0 ? masked.length : lineEnd });
      continue;
    }
    if (!/^do\b/.test(masked.slice(position, position + 3))) continue;
    const bodyStart = position + 2;
    const end = elixirBlockEnd(masked, bodyStart);
    if (end !== undefined) blocks.push({ name, defStart: match.index, bodyStart, bodyEnd: end });
  }
  return blocks;
}
