import { SourceText } from "../../../sql/source-text.js";
import type { Direction, MigrationSection, SectionLanguage, SourceFile } from "../../model.js";
import { lineBreaksBefore } from "./lines.js";

/** What a section is, apart from where it is. */
export interface SectionTraits {
  direction: Direction;
  language: SectionLanguage;
  inTransaction: boolean;
}

export function sourceOf(file: SourceFile): SourceText {
  return new SourceText(file.path, file.text);
}

/** The last line that has content ("a\nb\n" has 2 lines); 1 for an empty text. */
export function lastLineNumber(source: SourceText): number {
  const count = source.lineCount;
  return source.text.endsWith("\n") && count > 1 ? count - 1 : count;
}

/**
 * A section over [start, end). Its lines are those of its first and last characters; an empty
 * body has no line of its own, so it points at `anchorLine` (the marker or definition that
 * introduces it) instead.
 */
export function rangeSection(source: SourceText, start: number, end: number, anchorLine: number, traits: SectionTraits): MigrationSection {
  const empty = end <= start;
  const startLine = empty ? anchorLine : source.position(start).line;
  const endLine = empty ? anchorLine : source.position(end - 1).line;
  return { ...traits, path: source.path, start, end: Math.max(start, end), startLine, endLine };
}

/**
 * The whole file as one section (separate up/down files, plain SQL): rangeSection over [0, length)
 * with its last line counted directly, since detection (and the fix check, once per fix it tries)
 * reads every file this way and needs no other position in it.
 */
export function wholeFileSection(file: SourceFile, traits: SectionTraits): MigrationSection {
  const end = file.text.length;
  const endLine = end === 0 ? 1 : lineBreaksBefore(file.text, end - 1) + 1;
  return { ...traits, path: file.path, start: 0, end, startLine: 1, endLine };
}

const isSpace = (char: string): boolean => char === " " || char === "\t" || char === "\r" || char === "\n";

/**
 * A code body between its delimiters ([innerStart, innerEnd): inside the braces, after `def …`
 * up to `end`), shrunk to whole lines when it spans several (the indentation of the first line is
 * kept, the blank lines around it are not) or to its exact text when it shares a line with its
 * delimiters (`def down; end`, `{ return x; }`). Comments stay in the section.
 */
export function codeBodySection(source: SourceText, innerStart: number, innerEnd: number, anchorLine: number, traits: SectionTraits): MigrationSection {
  const text = source.text;
  let first = innerStart;
  let start = -1;
  while (first < innerEnd && isSpace(text.charAt(first))) {
    if (text.charAt(first) === "\n") start = first + 1;
    first++;
  }
  if (first >= innerEnd) return rangeSection(source, innerStart, innerStart, anchorLine, traits);
  if (start < 0) start = first;
  let last = innerEnd;
  let end = -1;
  while (last > first && isSpace(text.charAt(last - 1))) {
    if (text.charAt(last - 1) === "\n") end = last;
    last--;
  }
  if (end < 0) end = last;
  return rangeSection(source, start, end, anchorLine, traits);
}
