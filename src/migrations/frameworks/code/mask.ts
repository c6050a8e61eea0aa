import type { SectionLanguage } from "../../model.js";

/** Languages of migration code (markup changelogs, xml and yaml, are read by their own readers). */
export type CodeLanguage = Exclude<SectionLanguage, "sql" | "xml" | "yaml">;

interface Syntax {
  lineComments: readonly string[];
  blockComment?: readonly [string, string];
  quotes: readonly string[];
  /** `"""` / `'''` strings (Python, Elixir heredocs, C# raw strings, Java text blocks). */
  tripleQuotes: boolean;
  /** Whether a quoted string may run over several lines. */
  multilineStrings: boolean;
  heredoc?: "ruby" | "php";
  /** C# `@"…"` with `""` as the escaped quote. */
  verbatimStrings?: boolean;
}

const C_LIKE: Syntax = { lineComments: ["//"], blockComment: ["/*", "*/"], quotes: ['"', "'"], tripleQuotes: false, multilineStrings: false };

const SYNTAX: Record<CodeLanguage, Syntax> = {
  ruby: { lineComments: ["#"], quotes: ['"', "'", "`"], tripleQuotes: false, multilineStrings: true, heredoc: "ruby" },
  python: { lineComments: ["#"], quotes: ['"', "'"], tripleQuotes: true, multilineStrings: false },
  javascript: { ...C_LIKE, quotes: ['"', "'", "`"] },
  typescript: { ...C_LIKE, quotes: ['"', "'", "`"] },
  php: { ...C_LIKE, lineComments: ["//", "#"], multilineStrings: true, heredoc: "php" },
  elixir: { lineComments: ["#"], quotes: ['"', "'"], tripleQuotes: true, multilineStrings: true },
  csharp: { ...C_LIKE, tripleQuotes: true, verbatimStrings: true },
  java: { ...C_LIKE, tripleQuotes: true },
};

const RUBY_HEREDOC = /<<([~-]?)(["'`]?)([A-Za-z_]\w*)\2/y;
const PHP_HEREDOC = /<<<[ \t]*(["']?)([A-Za-z_]\w*)\1/y;

/**
 * The code with comments and the contents of string literals replaced by spaces (line breaks
 * inside them too, so a multi-line string or comment reads as part of one line), everything else
 * and every offset unchanged. String delimiters stay, so `f("")` still shows an argument.
 * Structure (brackets, keywords, indentation) can then be matched with plain regexes.
 * A lexer's approximation: regex literals, `%q{}`-style literals and string interpolation that
 * nests quotes are not understood.
 */
export function maskCode(text: string, language: CodeLanguage): string {
  return new Masker(text, SYNTAX[language]).run();
}

class Masker {
  private readonly out: string[];
  /** Ruby heredocs opened on the current line, whose bodies start after it. */
  private pendingHeredocs: Array<{ id: string; indented: boolean }> = [];

  constructor(
    private readonly text: string,
    private readonly syntax: Syntax,
  ) {
    this.out = text.split("");
  }

  run(): string {
    const { text, syntax } = this;
    let i = 0;
    while (i < text.length) {
      const char = text.charAt(i);
      if (char === "\n" && this.pendingHeredocs.length > 0) {
        i = this.skipRubyHeredocBodies(i);
        continue;
      }
      const lineComment = syntax.lineComments.find((marker) => text.startsWith(marker, i));
      if (lineComment !== undefined) {
        i = this.blankUntil(i, this.lineEnd(i));
        continue;
      }
      if (syntax.blockComment && text.startsWith(syntax.blockComment[0], i)) {
        const close = text.indexOf(syntax.blockComment[1], i + syntax.blockComment[0].length);
        i = this.blankUntil(i, close < 0 ? text.length : close + syntax.blockComment[1].length);
        continue;
      }
      if (syntax.heredoc === "ruby" && char === "=" && this.atLineStart(i) && text.startsWith("=begin", i)) {
        const close = text.indexOf("\n=end", i);
        i = this.blankUntil(i, close < 0 ? text.length : this.lineEnd(close + 1));
        continue;
      }
      const heredocEnd = this.heredoc(i);
      if (heredocEnd !== undefined) {
        i = heredocEnd;
        continue;
      }
      if (syntax.tripleQuotes && (text.startsWith('"""', i) || text.startsWith("'''", i))) {
        i = this.skipTripleQuoted(i);
        continue;
      }
      if (syntax.verbatimStrings && /^(?:@\$?|\$@)"/.test(text.slice(i, i + 3))) {
        i = this.skipVerbatim(text.indexOf('"', i));
        continue;
      }
      if (syntax.quotes.includes(char)) {
        i = this.skipQuoted(i, char);
        continue;
      }
      i++;
    }
    return this.out.join("");
  }

  private lineEnd(i: number): number {
    const newline = this.text.indexOf("\n", i);
    return newline < 0 ? this.text.length : newline;
  }

  private atLineStart(i: number): boolean {
    return i === 0 || this.text.charAt(i - 1) === "\n";
  }

  /** Blanks [from, to) and returns `to`. */
  private blankUntil(from: number, to: number): number {
    for (let k = from; k < to; k++) this.out[k] = " ";
    return to;
  }

  private skipQuoted(open: number, quote: string): number {
    const { text } = this;
    const multiline = this.syntax.multilineStrings || quote === "`";
    let j = open + 1;
    while (j < text.length) {
      const char = text.charAt(j);
      if (char === "\\") j += 2;
      else if (char === quote || (char === "\n" && !multiline)) break;
      else j++;
    }
    const close = Math.min(j, text.length);
    this.blankUntil(open + 1, close);
    return text.charAt(close) === quote ? close + 1 : close;
  }

  private skipTripleQuoted(open: number): number {
    const { text } = this;
    const delimiter = text.slice(open, open + 3);
    let j = open + 3;
    while (j < text.length && !text.startsWith(delimiter, j)) j += text.charAt(j) === "\\" ? 2 : 1;
    const close = Math.min(j, text.length);
    this.blankUntil(open + 3, close);
    return Math.min(close + 3, text.length);
  }

  private skipVerbatim(quote: number): number {
    const { text } = this;
    let j = quote + 1;
    while (j < text.length) {
      if (text.charAt(j) === '"' && text.charAt(j + 1) === '"') j += 2;
      else if (text.charAt(j) === '"') break;
      else j++;
    }
    this.blankUntil(quote + 1, j);
    return Math.min(j + 1, text.length);
  }

  /** A heredoc opener at i: for PHP the whole heredoc is blanked now; for Ruby its body after this line. */
  private heredoc(i: number): number | undefined {
    const { text, syntax } = this;
    if (syntax.heredoc === "php") {
      PHP_HEREDOC.lastIndex = i;
      const match = PHP_HEREDOC.exec(text);
      if (!match) return undefined;
      const id = match[2] ?? "";
      const terminator = new RegExp(`^[ \\t]*${id}\\b`, "m");
      const bodyStart = this.lineEnd(i);
      const found = terminator.exec(text.slice(bodyStart + 1));
      const end = found ? bodyStart + 1 + found.index + found[0].length : text.length;
      return this.blankUntil(i + match[0].length, end);
    }
    if (syntax.heredoc === "ruby") {
      RUBY_HEREDOC.lastIndex = i;
      const match = RUBY_HEREDOC.exec(text);
      if (!match) return undefined;
      const [, flavour = "", quote = "", id = ""] = match;
      // `a << B` is a shift or an append; a heredoc is `<<~ID`, `<<-ID`, `<<ID` or `<<"ID"`.
      if (flavour === "" && quote === "" && !/^[A-Z]/.test(id)) return undefined;
      if (flavour === "" && quote === "" && text.charAt(i + 2) === " ") return undefined;
      this.pendingHeredocs.push({ id, indented: flavour !== "" });
      return i + match[0].length;
    }
    return undefined;
  }

  /** From the line break that ends a line with heredoc openers: blanks their bodies and terminators. */
  private skipRubyHeredocBodies(newline: number): number {
    const { text } = this;
    let position = newline + 1;
    for (const { id, indented } of this.pendingHeredocs) {
      while (position < text.length) {
        const end = this.lineEnd(position);
        const line = text.slice(position, end).replace(/\r$/, "");
        position = end;
        if ((indented ? line.trim() : line) === id) break;
        position = end + 1;
      }
    }
    this.pendingHeredocs = [];
    return this.blankUntil(newline, Math.min(position, text.length));
  }
}
