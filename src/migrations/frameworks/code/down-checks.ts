import type { SourceText } from "../../../sql/source-text.js";
import type { MigrationSection, RollbackIssue } from "../../model.js";
import { codeBodySection } from "../support/sections.js";
import type { CodeBlock } from "./code-block.js";
import type { CodeLanguage } from "./mask.js";

/** What a body may hold and still do nothing, per language (after comments are masked). */
const NO_OP: Record<CodeLanguage, RegExp> = {
  ruby: /\bnil\b/g,
  python: /\bpass\b|\.\.\.|\breturn\b|\bNone\b/g,
  javascript: /\breturn\b|\bawait\b|\bPromise\.resolve\(\s*\)|\bundefined\b|\bnull\b/g,
  typescript: /\breturn\b|\bawait\b|\bPromise\.resolve\(\s*\)|\bundefined\b|\bnull\b/g,
  php: /\breturn\b/g,
  elixir: /:ok\b|\bnil\b/g,
  csharp: /\breturn\b/g,
  java: /\breturn\b/g,
};

/** Whether a masked body does nothing: blank, comments only, `pass`, a docstring, `return;`, `:ok`. */
export function isEmptyBody(maskedBody: string, language: CodeLanguage): boolean {
  return maskedBody.replace(NO_OP[language], "").replace(/[\s;"'`]/g, "") === "";
}

export function lineOf(source: SourceText, offset: number): number {
  return source.position(offset).line;
}

export interface UpDownCode {
  source: SourceText;
  masked: string;
  language: CodeLanguage;
  up: CodeBlock | undefined;
  down: CodeBlock | undefined;
  /** How the methods are called in details: "`up`", "`upgrade()`", "`Up(MigrationBuilder)`". */
  upLabel: string;
  downLabel: string;
  /** A statement that makes the down refuse to run (`raise ActiveRecord::IrreversibleMigration`, `throw`). */
  refusal: RegExp;
}

/** missing-down, empty-down and irreversible-down for frameworks with an up and a down method. */
export function upDownIssues(code: UpDownCode): RollbackIssue[] {
  const { source, masked, up, down, upLabel, downLabel } = code;
  const path = source.path;
  if (!down) {
    if (!up) return [];
    return [{ kind: "missing-down", path, line: lineOf(source, up.defStart), detail: `${upLabel} has no ${downLabel}` }];
  }
  const body = masked.slice(down.bodyStart, down.bodyEnd);
  if (isEmptyBody(body, code.language)) {
    return [{ kind: "empty-down", path, line: lineOf(source, down.defStart), detail: `${downLabel} is empty: rolling back does nothing` }];
  }
  const refusal = new RegExp(code.refusal.source, code.refusal.flags.replace("g", "")).exec(body);
  if (!refusal) return [];
  const at = down.bodyStart + refusal.index;
  const lineEnd = source.text.indexOf("\n", at);
  const statement = source.text.slice(at, lineEnd < 0 ? source.text.length : lineEnd).trim();
  const shown = statement.length > 80 ? `${statement.slice(0, 77)}...` : statement;
  return [{ kind: "irreversible-down", path, line: lineOf(source, at), detail: `${downLabel} refuses to run: ${shown}` }];
}

/** The up and down method bodies as sections, up first. */
export function upDownSections(code: Pick<UpDownCode, "source" | "up" | "down" | "language">, inTransaction: boolean): MigrationSection[] {
  const sections: MigrationSection[] = [];
  for (const [block, direction] of [
    [code.up, "up"],
    [code.down, "down"],
  ] as const) {
    if (!block) continue;
    sections.push(
      codeBodySection(code.source, block.bodyStart, block.bodyEnd, lineOf(code.source, block.defStart), {
        direction,
        language: code.language,
        inTransaction,
      }),
    );
  }
  return sections.sort((a, b) => (a.direction === b.direction ? a.start - b.start : a.direction === "up" ? -1 : 1));
}
