import { type Argument, matchingBracket, skipSpaces, splitArguments } from "./brackets.js";

/** One link of a method chain: `.name(args)`. */
export interface ChainLink {
  name: string;
  /** Offset of the link's name. */
  at: number;
  args: Argument[];
}

/**
 * The method chain that starts with `.name(` at `from` (masked JavaScript):
 * `.integer("x").notNullable().references("id").inTable("teams")`. Links may sit on lines of
 * their own. Stops at the first thing that is not `.name(…)`; `end` is after the last `)`.
 */
export function readChain(masked: string, from: number): { links: ChainLink[]; end: number } {
  const links: ChainLink[] = [];
  let position = from;
  for (;;) {
    const dot = skipSpaces(masked, position);
    const link = /^\.\s*([A-Za-z_$][\w$]*)\s*\(/.exec(masked.slice(dot, dot + 200));
    if (!link) break;
    const open = dot + link[0].length - 1;
    const close = matchingBracket(masked, open);
    if (close < 0) break;
    links.push({ name: link[1] ?? "", at: dot + link[0].indexOf(link[1] ?? ""), args: splitArguments(masked, open + 1, close) });
    position = close + 1;
  }
  return { links, end: position };
}

/**
 * A callback argument `(t) => { … }`, `t => …`, `function (table) { … }`: its first parameter
 * and the range of its body; undefined for anything else.
 */
export function callbackOf(masked: string, argument: Argument | undefined): { parameter: string; start: number; end: number } | undefined {
  if (!argument) return undefined;
  const head = /^(?:async\s*)?(?:function\b\s*[\w$]*\s*)?\(?\s*([A-Za-z_$][\w$]*)\s*(?::\s*[\w$.<>]+\s*)?(?:,[^)]*)?\)?\s*(=>)?\s*/.exec(argument.masked);
  if (!head) return undefined;
  const bodyStart = argument.start + head[0].length;
  if (masked.charAt(bodyStart) === "{") {
    const close = matchingBracket(masked, bodyStart);
    return close < 0 || close > argument.end ? undefined : { parameter: head[1] ?? "", start: bodyStart + 1, end: close };
  }
  return head[2] ? { parameter: head[1] ?? "", start: bodyStart, end: argument.end } : undefined;
}

/** Whether the expression starting at `start` begins a statement or an element: not an argument of something else. */
export function atStatementLevel(masked: string, start: number): boolean {
  const before = masked.slice(Math.max(0, start - 40), start).trimEnd();
  return before === "" || /(?:[;{}[,]|\bawait|\breturn|=>)$/.test(before);
}

/** Where the receiver of `.name` at `dot` starts: back over `a.b.c` and `a.b(…).c`. */
export function receiverStart(masked: string, dot: number): number {
  let position = dot;
  for (;;) {
    let end = position;
    while (end > 0 && /\s/.test(masked.charAt(end - 1))) end--;
    if (masked.charAt(end - 1) === ")") {
      let depth = 0;
      let i = end - 1;
      for (; i >= 0; i--) {
        const char = masked.charAt(i);
        if (char === ")") depth++;
        else if (char === "(" && --depth === 0) break;
      }
      if (i < 0) return position;
      end = i;
    }
    let start = end;
    while (start > 0 && /[\w$]/.test(masked.charAt(start - 1))) start--;
    if (start === end) return position;
    let before = start;
    while (before > 0 && /\s/.test(masked.charAt(before - 1))) before--;
    if (masked.charAt(before - 1) !== ".") return start;
    position = before - 1;
  }
}
