import type { Node } from "libpg-query";
import { errorMessage } from "../errors.js";
import { nodeKind, type NodeKind } from "./nodes.js";
import { loadPgQueryWasm, parseWasm, scanWasm } from "./pg-query-wasm.js";
import type { SourceText } from "./source-text.js";

/**
 * The PostgreSQL parser (libpg-query: Postgres 18's own grammar in WASM) over a file or a part of
 * one, with every statement placed on the file's lines. A syntax error never stops the analysis:
 * the text is split at top-level semicolons and every piece that parses is still analysed.
 */

/** One statement: its AST and where it stands in the file. */
export interface SqlStatement {
  /** The AST node type, e.g. "AlterTableStmt", "IndexStmt" ("Unknown" for an empty node). */
  kind: NodeKind | "Unknown";
  /** The node itself, `{ [kind]: {...} }` as libpg-query returns it. */
  node: Node;
  /** The statement's text, without the trailing semicolon. */
  text: string;
  /** Char offsets in the file: [start, end). */
  start: number;
  end: number;
  /** 1-based. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface SqlSyntaxError {
  message: string;
  line: number;
  column: number;
  /** Char offsets in the file of the text that failed to parse (its statement, or the whole text): [start, end). */
  pieceStart: number;
  pieceEnd: number;
}

export interface SqlComment {
  /** The comment's text including `--` or the slash-star delimiters. */
  text: string;
  line: number;
  endLine: number;
  start: number;
}

export interface ParsedSql {
  statements: SqlStatement[];
  errors: SqlSyntaxError[];
  comments: SqlComment[];
}

let loaded: Promise<void> | undefined;
let ready = false;

/**
 * Loads the WASM parser once; every parse after that is synchronous. The module itself is imported
 * here, not at the top of the file: compiling its 1.7 MB of WASM and its glue costs a start that
 * parses nothing (`--help`, `lint` of a folder without migrations) tens of milliseconds of CPU.
 */
export function loadSqlParser(): Promise<void> {
  loaded ??= loadPgQueryWasm().then(() => {
    ready = true;
  });
  return loaded;
}

function requireParser(): void {
  if (!ready) throw new Error("the SQL parser is not loaded: call loadSqlParser() first");
}

interface RawStatement {
  stmt?: Node;
  stmt_location?: number;
  stmt_len?: number;
}

const encoder = new TextEncoder();
const WHITESPACE = /\s/;

function toStatement(source: SourceText, raw: RawStatement, baseByte: number, pieceBytes: number): SqlStatement | undefined {
  if (!raw.stmt) return undefined;
  const kind = nodeKind(raw.stmt) ?? "Unknown";
  const startByte = baseByte + (raw.stmt_location ?? 0);
  const endByte = baseByte + (raw.stmt_len ? (raw.stmt_location ?? 0) + raw.stmt_len : pieceBytes);
  let start = source.charAt(startByte);
  let end = source.charAt(endByte);
  while (start < end && WHITESPACE.test(source.text[start] ?? "")) start++;
  while (end > start && WHITESPACE.test(source.text[end - 1] ?? "")) end--;
  if (source.text[end - 1] === ";") end--;
  const from = source.position(start);
  const to = source.position(Math.max(start, end - 1));
  return {
    kind,
    node: raw.stmt,
    text: source.text.slice(start, end),
    start,
    end,
    line: from.line,
    column: from.column,
    endLine: to.line,
    endColumn: to.column,
  };
}

function syntaxError(source: SourceText, error: unknown, pieceStartChar: number, piece: string, pieceEndChar: number): SqlSyntaxError {
  const details = (error as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
  // libpg-query gives the error cursor as a 0-based count of characters (code points) into what
  // it parsed; not bytes, unlike statement locations.
  const cursor = details?.cursorPosition;
  let char = pieceStartChar;
  if (typeof cursor === "number" && cursor >= 0) {
    const codePoints = Array.from(piece).slice(0, cursor).join("");
    char = pieceStartChar + codePoints.length;
  } else {
    while (char < source.text.length && WHITESPACE.test(source.text[char] ?? "")) char++;
  }
  const at = source.position(char);
  return { message: details?.message ?? errorMessage(error), line: at.line, column: at.column, pieceStart: pieceStartChar, pieceEnd: pieceEndChar };
}

function commentsIn(source: SourceText, from: number, to: number): SqlComment[] {
  const comments: SqlComment[] = [];
  let tokens;
  try {
    tokens = scanWasm(source.text.slice(from, to)).tokens;
  } catch {
    return comments; // a lexical error (say, an unterminated quote) leaves no reliable comments
  }
  const base = source.byteAt(from);
  for (const token of tokens) {
    if (token.tokenName !== "SQL_COMMENT" && token.tokenName !== "C_COMMENT") continue;
    const start = source.charAt(base + token.start);
    const end = source.charAt(base + token.end);
    comments.push({
      text: source.text.slice(start, end),
      start,
      line: source.position(start).line,
      endLine: source.position(Math.max(start, end - 1)).line,
    });
  }
  return comments;
}

/** Splits text at top-level semicolons, using the scanner (quotes and dollar quotes respected). */
function splitAtSemicolons(text: string): Array<{ startByte: number; endByte: number }> | undefined {
  let tokens;
  try {
    tokens = scanWasm(text).tokens;
  } catch {
    return undefined;
  }
  const pieces: Array<{ startByte: number; endByte: number }> = [];
  let startByte = 0;
  for (const token of tokens) {
    if (token.tokenName === "ASCII_59") {
      pieces.push({ startByte, endByte: token.end });
      startByte = token.end;
    }
  }
  const total = encoder.encode(text).length;
  if (startByte < total) pieces.push({ startByte, endByte: total });
  return pieces;
}

/**
 * Parses `source.text[from, to)` (the whole file by default). Positions are the file's.
 * `comments: false` skips collecting comments (a second pass of the scanner).
 * Call `loadSqlParser()` once before.
 */
export function parseSql(source: SourceText, from = 0, to = source.text.length, options: { comments?: boolean } = {}): ParsedSql {
  // Before any try below: a parser never loaded is the caller's error, not SQL that does not parse
  // (swallowed, it read as a file without statements).
  requireParser();
  const text = source.text.slice(from, to);
  const baseByte = source.byteAt(from);
  const comments = options.comments === false ? [] : commentsIn(source, from, to);
  if (text.trim() === "") return { statements: [], errors: [], comments };
  try {
    const { tree, bytes } = parseWasm(text);
    const statements = ((tree as { stmts?: RawStatement[] }).stmts ?? [])
      .map((raw) => toStatement(source, raw, baseByte, bytes))
      .filter((s): s is SqlStatement => s !== undefined);
    return { statements, errors: [], comments };
  } catch (error) {
    const pieces = splitAtSemicolons(text);
    if (!pieces) return { statements: [], errors: [syntaxError(source, error, from, text, to)], comments };
    const statements: SqlStatement[] = [];
    const errors: SqlSyntaxError[] = [];
    const bytes = encoder.encode(text);
    const decoder = new TextDecoder();
    for (const piece of pieces) {
      const pieceText = decoder.decode(bytes.subarray(piece.startByte, piece.endByte));
      if (pieceText.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|;/g, "").trim() === "") continue;
      try {
        const { tree } = parseWasm(pieceText);
        for (const raw of (tree as { stmts?: RawStatement[] }).stmts ?? []) {
          const statement = toStatement(source, raw, baseByte + piece.startByte, piece.endByte - piece.startByte);
          if (statement) statements.push(statement);
        }
      } catch (pieceError) {
        errors.push(syntaxError(source, pieceError, source.charAt(baseByte + piece.startByte), pieceText, source.charAt(baseByte + piece.endByte)));
      }
    }
    return { statements, errors, comments };
  }
}
