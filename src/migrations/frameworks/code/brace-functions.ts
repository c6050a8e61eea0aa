import { matchingBracket, skipSpaces } from "./brackets.js";
import type { CodeBlock } from "./code-block.js";

/** [bodyStart, bodyEnd) of a function body. */
interface Body {
  bodyStart: number;
  bodyEnd: number;
}

const CONTINUES_EXPRESSION = /^[.?:+\-*/&|=]/;

/**
 * Where an expression body ends (`=> knex.schema.dropTable("x")`): at `;` or `,` outside brackets,
 * at a bracket that closes an enclosing one, or at a line break the next line does not continue.
 */
export function expressionEnd(masked: string, from: number): number {
  let depth = 0;
  for (let i = from; i < masked.length; i++) {
    const char = masked.charAt(i);
    if ("([{".includes(char)) depth++;
    else if (")]}".includes(char)) {
      if (--depth < 0) return i;
    } else if (depth === 0 && (char === ";" || char === ",")) return i;
    else if (depth === 0 && char === "\n") {
      const next = masked.slice(skipSpaces(masked, i), skipSpaces(masked, i) + 1);
      if (!CONTINUES_EXPRESSION.test(next)) return i;
    }
  }
  return masked.length;
}

/** After `=>`: a `{ … }` block or an expression. */
function arrowBody(masked: string, arrowEnd: number): Body | undefined {
  const start = skipSpaces(masked, arrowEnd);
  if (masked.charAt(start) === "{") {
    const close = matchingBracket(masked, start);
    return close < 0 ? undefined : { bodyStart: start + 1, bodyEnd: close };
  }
  return { bodyStart: start, bodyEnd: expressionEnd(masked, start) };
}

/**
 * From the `(` of a parameter list: the body that follows, past a return type (`: Promise<void>`,
 * `: void`): `{ … }`, or `=> …` (a JavaScript arrow, a C# expression body).
 */
export function bodyAfterParameters(masked: string, openParen: number): Body | undefined {
  const close = matchingBracket(masked, openParen);
  if (close < 0) return undefined;
  let position = skipSpaces(masked, close + 1);
  if (masked.charAt(position) === ":") {
    const rest = /\{|=>|;/.exec(masked.slice(position));
    if (!rest) return undefined;
    position += rest.index;
  }
  if (masked.startsWith("=>", position)) return arrowBody(masked, position + 2);
  if (masked.charAt(position) !== "{") return undefined;
  const end = matchingBracket(masked, position);
  return end < 0 ? undefined : { bodyStart: position + 1, bodyEnd: end };
}

/** A function value: `function (…) {…}`, `async (…) => …`, `knex => …`. */
function functionValue(masked: string, from: number): Body | undefined {
  let position = skipSpaces(masked, from);
  const asyncKeyword = /^async\b/.exec(masked.slice(position, position + 6));
  if (asyncKeyword) position = skipSpaces(masked, position + 5);
  const functionKeyword = /^function\b\s*\*?\s*[\w$]*\s*/.exec(masked.slice(position, position + 200));
  if (functionKeyword) {
    const open = position + functionKeyword[0].length;
    return masked.charAt(open) === "(" ? bodyAfterParameters(masked, open) : undefined;
  }
  if (masked.charAt(position) === "(") {
    const close = matchingBracket(masked, position);
    if (close < 0) return undefined;
    let arrow = skipSpaces(masked, close + 1);
    if (masked.charAt(arrow) === ":") arrow = masked.indexOf("=>", arrow);
    return arrow >= 0 && masked.startsWith("=>", arrow) ? arrowBody(masked, arrow + 2) : undefined;
  }
  const parameter = /^[A-Za-z_$][\w$]*\s*=>/.exec(masked.slice(position, position + 100));
  return parameter ? arrowBody(masked, position + parameter[0].length) : undefined;
}

function escapeName(name: string): string {
  return name.replace(/[$]/g, "\\$");
}

/**
 * A JavaScript/TypeScript function named `name`, in any of the shapes migration files use:
 * `exports.up = …`, `module.exports.up = …`, `export async function up(…)`, `export const up = …`,
 * `async function up(…)`, a method (`async up(queryInterface) {`, `public async up(queryRunner: QueryRunner): Promise<void> {`)
 * or a property (`up: async (queryInterface) => {`). The first shape that has a body wins.
 */
export function findJsFunction(masked: string, name: string): CodeBlock | undefined {
  const n = escapeName(name);
  const shapes: Array<{ pattern: RegExp; body: (end: number) => Body | undefined }> = [
    { pattern: new RegExp(`\\b(?:module\\.)?exports\\.${n}\\s*=\\s*`, "g"), body: (end) => functionValue(masked, end) },
    { pattern: new RegExp(`\\b(?:export\\s+)?(?:const|let|var)\\s+${n}\\s*(?::[^=]+)?=(?!=)\\s*`, "g"), body: (end) => functionValue(masked, end) },
    {
      pattern: new RegExp(`(?<![.\\w$])(?:export\\s+)?(?:async\\s+)?function\\s*\\*?\\s*${n}\\s*(?=\\()`, "g"),
      body: (end) => bodyAfterParameters(masked, end),
    },
    {
      pattern: new RegExp(`(?<=^|[\\s{,;])(?:(?:public|private|protected|static|override)\\s+)*(?:async\\s+)?${n}\\s*(?=\\()`, "g"),
      body: (end) => bodyAfterParameters(masked, end),
    },
    { pattern: new RegExp(`(?<=^|[\\s{,])${n}\\s*:\\s*`, "g"), body: (end) => functionValue(masked, end) },
  ];
  for (const { pattern, body } of shapes) {
    for (let match = pattern.exec(masked); match; match = pattern.exec(masked)) {
      const found = body(match.index + match[0].length);
      if (found) return { name, defStart: match.index, ...found };
    }
  }
  return undefined;
}

/**
 * A method found by a header that ends just before its `(` (PHP `function up`, C# `void Up`),
 * with its `{ … }` or `=> …;` body.
 */
export function findBraceMethod(masked: string, header: RegExp, name: string): CodeBlock | undefined {
  const pattern = new RegExp(header.source, header.flags.includes("g") ? header.flags : `${header.flags}g`);
  for (let match = pattern.exec(masked); match; match = pattern.exec(masked)) {
    const open = skipSpaces(masked, match.index + match[0].length);
    if (masked.charAt(open) !== "(") continue;
    const found = bodyAfterParameters(masked, open);
    if (found) return { name, defStart: match.index, ...found };
  }
  return undefined;
}
