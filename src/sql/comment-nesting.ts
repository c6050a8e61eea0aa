/**
 * How deeply `/* … *\/` comments nest in a file, measured in one linear pass of plain JavaScript
 * before any of it reaches libpg-query. Postgres allows block comments to nest, and its scanner
 * (libpg-query's, in WASM) takes time quadratic in the depth: a 234 KB file of nested comments
 * held the event loop for 29 s. A file nested deeper than any migration needs is refused unparsed.
 *
 * Measured on libpg-query 18.1.5 (WASM, Node 24, a shared 2-core machine), one comment of depth d then `select 1;`, best of 3:
 *   d = 100: parse 1 ms, scan 0.2 ms; d = 1 000: 3 ms, 10 ms; d = 2 000: 30 ms, 33 ms;
 *   d = 5 000: 115 ms, 339 ms; d = 10 000: 285 ms, 518 ms; d = 20 000: 1 035 ms, 2 077 ms.
 * A whole 1 MiB file of comments of depth 16 parses in 30 ms, of depth 64 in 137 ms, of depth
 * 1 000 in 723 ms (the scan of any 1 MiB file takes about 250 ms whatever it holds).
 */

/**
 * The deepest nesting reviewed, counted the way Postgres's scanner reads the file (quotes,
 * quoted identifiers and dollar quotes respected). Hand-written migrations nest two or three
 * levels at most; at 32 even a 1 MiB file of such comments parses in well under 100 ms.
 */
export const MAX_COMMENT_NESTING = 32;

/**
 * The deepest nesting reviewed when quotes are ignored, so every `/*` counts, even in a string.
 * The framework may cut a file into sections that the parser reads on their own, and a section
 * can start inside what the whole file reads as a string: this count bounds every such reading.
 * High enough that `'/api/*'`-like strings in seed data never trip it (1 000: 3 ms per comment).
 */
export const MAX_COMMENT_NESTING_IGNORING_QUOTES = 1000;

export interface CommentNesting {
  /** The deepest nesting as Postgres reads the whole file. */
  depth: number;
  /** The deepest nesting counting every `/*` and `*\/`, in strings and line comments too. */
  depthIgnoringQuotes: number;
}

/** Postgres's identifier characters (`ident_cont`): letters, digits, `_`, `$` and every non-ASCII character. */
function isIdentifierChar(c: string | undefined): boolean {
  return c !== undefined && (/[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80);
}

/** A dollar-quote delimiter at `at` (`$$` or `$tag$`, the tag not starting with a digit), or undefined. */
function dollarTagAt(text: string, at: number): string | undefined {
  if (isIdentifierChar(text[at - 1])) return undefined; // `a$b$` is one identifier
  const match = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(text.slice(at, at + 256));
  return match?.[0];
}

/** The index just past a quoted run that opened at `at` (the opening quote), doubled quotes kept inside. */
function endOfQuoted(text: string, at: number, quote: string, backslashEscapes: boolean): number {
  let i = at + 1;
  while (i < text.length) {
    const c = text[i];
    if (backslashEscapes && c === "\\") {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return text.length;
}

/** The nesting as Postgres's scanner reads the file from its start. */
function depthRespectingQuotes(text: string): number {
  let depth = 0;
  let deepest = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (depth > 0) {
      // Inside a block comment only `/*` and `*/` mean anything; quotes and `--` are comment text.
      if (c === "/" && next === "*") {
        depth++;
        deepest = Math.max(deepest, depth);
        i += 2;
      } else if (c === "*" && next === "/") {
        depth--;
        i += 2;
      } else i++;
      continue;
    }
    if (c === "/" && next === "*") {
      depth = 1;
      deepest = Math.max(deepest, depth);
      i += 2;
    } else if (c === "-" && next === "-") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end + 1;
    } else if (c === "'") {
      // E'…' strings take backslash escapes; `xe'` is the identifier `xe` then a plain string.
      const escaped = (text[i - 1] === "E" || text[i - 1] === "e") && !isIdentifierChar(text[i - 2]);
      i = endOfQuoted(text, i, "'", escaped);
    } else if (c === '"') {
      i = endOfQuoted(text, i, '"', false);
    } else if (c === "$") {
      const tag = dollarTagAt(text, i);
      if (tag === undefined) i++;
      else {
        const end = text.indexOf(tag, i + tag.length);
        i = end < 0 ? text.length : end + tag.length;
      }
    } else i++;
  }
  return deepest;
}

/**
 * Every `/*` opens and every `*\/` closes (never below zero). A count started anywhere later
 * never exceeds it by more than one (`*\/*` may read either way), so it bounds the nesting of
 * any section the parser reads alone, wherever the section starts.
 */
function depthIgnoringQuotes(text: string): number {
  let depth = 0;
  let deepest = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "/" && next === "*") {
      depth++;
      deepest = Math.max(deepest, depth);
      i += 2;
    } else if (c === "*" && next === "/" && depth > 0) {
      depth--;
      i += 2;
    } else i++;
  }
  return deepest;
}

export function commentNesting(text: string): CommentNesting {
  return { depth: depthRespectingQuotes(text), depthIgnoringQuotes: depthIgnoringQuotes(text) };
}

/** Why the file must not reach the parser, or undefined when its comments nest within the limits. */
export function pathologicalNesting(text: string): string | undefined {
  const { depth, depthIgnoringQuotes } = commentNesting(text);
  if (depth > MAX_COMMENT_NESTING) {
    return `comments nested ${depth} deep, more than ${MAX_COMMENT_NESTING}: refused unparsed, the SQL parser's time grows with the square of the depth`;
  }
  if (depthIgnoringQuotes > MAX_COMMENT_NESTING_IGNORING_QUOTES) {
    return `comment openers nested ${depthIgnoringQuotes} deep counting those in strings, more than ${MAX_COMMENT_NESTING_IGNORING_QUOTES}: refused unparsed, the SQL parser's time grows with the square of the depth`;
  }
  return undefined;
}
