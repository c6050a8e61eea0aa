import { matchingBracket, skipSpaces } from "./brackets.js";
import type { CodeBlock } from "./code-block.js";

const KEYWORD = /\b(def|class|module|do|begin|case|if|unless|while|until|for|end)\b/g;

/** `if`/`unless`/`while`/`until` open a block only where a statement (or a value) starts, not as modifiers. */
function startsStatement(masked: string, at: number): boolean {
  const lineStart = Math.max(masked.lastIndexOf("\n", at - 1), masked.lastIndexOf(";", at - 1)) + 1;
  const before = masked.slice(lineStart, at).trimEnd();
  return before === "" || /[=([]$/.test(before);
}

/** `def name(args) = expression` has no `end`. */
function isEndlessDef(masked: string, at: number): boolean {
  const endless = /def\s+(?:self\.)?[\w?!]+[ \t]*(?:\([^)]*\))?[ \t]*=(?![=~>])/y;
  endless.lastIndex = at;
  return endless.test(masked);
}

/**
 * The offset of the `end` that closes a block whose opener comes just before `from` (masked Ruby).
 * Counts `def`, `class`, `module`, `do`, `begin`, `case`, `for` and statement-position
 * `if`/`unless`/`while`/`until`; a `do` on the line of a `while`/`until`/`for` belongs to it.
 */
export function rubyBlockEnd(masked: string, from: number): number | undefined {
  const keyword = new RegExp(KEYWORD.source, "g");
  keyword.lastIndex = from;
  let depth = 1;
  let loopLine = -1;
  for (let match = keyword.exec(masked); match; match = keyword.exec(masked)) {
    const word = match[1] ?? "";
    const at = match.index;
    const before = masked.charAt(at - 1);
    const after = masked.charAt(at + word.length);
    if (".:@$".includes(before) && before !== "") continue;
    if ((after === ":" && masked.charAt(at + word.length + 1) !== ":") || after === "?" || after === "!") continue;
    const lineStart = masked.lastIndexOf("\n", at - 1) + 1;
    if (word === "end") {
      if (--depth === 0) return at;
    } else if (word === "do") {
      if (lineStart === loopLine) loopLine = -1;
      else depth++;
    } else if (word === "def") {
      if (!isEndlessDef(masked, at)) depth++;
    } else if (word === "if" || word === "unless" || word === "while" || word === "until") {
      if (!startsStatement(masked, at)) continue;
      depth++;
      if (word === "while" || word === "until") loopLine = lineStart;
    } else {
      depth++;
      if (word === "for") loopLine = lineStart;
    }
  }
  return undefined;
}

/** The methods named `names` (`def name`, `def self.name`) with their bodies. */
export function findRubyMethods(masked: string, names: readonly string[]): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const definition = /\bdef[ \t]+(?:self\.)?([A-Za-z_]\w*[?!]?)/g;
  for (let match = definition.exec(masked); match; match = definition.exec(masked)) {
    const name = match[1] ?? "";
    if (!names.includes(name)) continue;
    let position = skipSpaces(masked, match.index + match[0].length, false);
    if (masked.charAt(position) === "(") position = matchingBracket(masked, position) + 1;
    if (position <= 0) continue;
    const afterSignature = skipSpaces(masked, position, false);
    if (masked.charAt(afterSignature) === "=" && masked.charAt(afterSignature + 1) !== "=") {
      const lineEnd = masked.indexOf("\n", afterSignature);
      blocks.push({ name, defStart: match.index, bodyStart: afterSignature + 1, bodyEnd: lineEnd < 0 ? masked.length : lineEnd });
      continue;
    }
    const bodyStart = masked.charAt(afterSignature) === ";" ? afterSignature + 1 : position;
    const end = rubyBlockEnd(masked, bodyStart);
    if (end === undefined) continue;
    blocks.push({ name, defStart: match.index, bodyStart, bodyEnd: end });
  }
  return blocks;
}

/**
 * The ranges of `reversible do … end` / `up_only do … end` blocks (and their `{ … }` forms) in
 * masked Ruby: inside them, `change` may run anything.
 */
export function rubyBlockRanges(masked: string, from: number, to: number, methods: readonly string[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const call = new RegExp(`\\b(?:${methods.join("|")})\\b[^\\n]*?(\\bdo\\b|\\{)`, "g");
  call.lastIndex = from;
  for (let match = call.exec(masked); match && match.index < to; match = call.exec(masked)) {
    const opener = match.index + match[0].length - (match[1] ?? "").length;
    const end = match[1] === "{" ? matchingBracket(masked, opener) : rubyBlockEnd(masked, opener + 2);
    if (end === undefined || end < 0) continue;
    ranges.push([match.index, end]);
    call.lastIndex = end;
  }
  return ranges;
}
