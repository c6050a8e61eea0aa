import { matchingBracket } from "./brackets.js";
import type { CodeBlock } from "./code-block.js";

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function bracketBalance(line: string): number {
  let balance = 0;
  for (const char of line) {
    if ("([{".includes(char)) balance++;
    else if (")]}".includes(char)) balance--;
  }
  return balance;
}

/**
 * Where an indented body that starts on the line after `from` ends (masked Python): before the
 * first code line indented no deeper than the definition, continuation lines (open brackets,
 * trailing backslash) and blank lines aside. The end is after the last code line of the body.
 */
function indentedBodyEnd(masked: string, from: number, definitionIndent: number): number {
  let position = from;
  let end = from;
  let open = 0;
  let continued = false;
  while (position < masked.length) {
    const newline = masked.indexOf("\n", position);
    const lineEnd = newline < 0 ? masked.length : newline;
    const line = masked.slice(position, lineEnd);
    if (line.trim() !== "") {
      if (open <= 0 && !continued && indentOf(line) <= definitionIndent) break;
      open += bracketBalance(line);
      continued = line.trimEnd().endsWith("\\");
      end = lineEnd < masked.length ? lineEnd + 1 : lineEnd;
    }
    position = lineEnd + 1;
  }
  return end;
}

/** Top-level or nested `def name(...):` functions (all of them when `names` is omitted), with their bodies. */
export function findPythonFunctions(masked: string, names?: readonly string[]): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const definition = /^([ \t]*)(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)[ \t]*\(/gm;
  for (let match = definition.exec(masked); match; match = definition.exec(masked)) {
    const name = match[2] ?? "";
    if (names && !names.includes(name)) continue;
    const close = matchingBracket(masked, match.index + match[0].length - 1);
    const colon = close < 0 ? -1 : masked.indexOf(":", close + 1);
    if (colon < 0) continue;
    const defStart = match.index + (match[1] ?? "").length;
    const lineEnd = masked.indexOf("\n", colon);
    const restOfLine = masked.slice(colon + 1, lineEnd < 0 ? masked.length : lineEnd);
    if (restOfLine.trim() !== "" || lineEnd < 0) {
      blocks.push({ name, defStart, bodyStart: colon + 1, bodyEnd: lineEnd < 0 ? masked.length : lineEnd });
      continue;
    }
    const bodyEnd = indentedBodyEnd(masked, lineEnd + 1, (match[1] ?? "").length);
    blocks.push({ name, defStart, bodyStart: lineEnd + 1, bodyEnd: Math.max(bodyEnd, lineEnd + 1) });
  }
  return blocks;
}
