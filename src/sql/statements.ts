import type { Node } from "libpg-query";
import { bodyOf, defElems, nodeKind } from "./nodes.js";

/** What kind of step a statement is: transaction control, settings, code the analyser cannot read. */

/** The kind of a transaction-control statement (TRANS_STMT_BEGIN, …), or undefined. */
export function transactionKind(node: Node): string | undefined {
  return bodyOf(node, "TransactionStmt")?.kind;
}

/** BEGIN, START TRANSACTION. */
export function isBegin(node: Node): boolean {
  const kind = transactionKind(node);
  return kind === "TRANS_STMT_BEGIN" || kind === "TRANS_STMT_START";
}

/** COMMIT, END, ROLLBACK, ABORT, PREPARE TRANSACTION: what ends a transaction block. */
export function isTransactionEnd(node: Node): boolean {
  const kind = transactionKind(node);
  return kind === "TRANS_STMT_COMMIT" || kind === "TRANS_STMT_ROLLBACK" || kind === "TRANS_STMT_PREPARE";
}

/** Statements that change no schema and no data: transaction control and settings. */
export function isNeutral(node: Node): boolean {
  const kind = nodeKind(node);
  return kind === "TransactionStmt" || kind === "VariableSetStmt" || kind === "VariableShowStmt";
}

/** Statements whose effects cannot be read from the SQL: DO blocks and CALL. */
export function isOpaque(node: Node): boolean {
  const kind = nodeKind(node);
  return kind === "DoStmt" || kind === "CallStmt";
}

const SQL_COMMENTS = /--[^\n]*|\/\*[\s\S]*?\*\//g;

/**
 * A DO block (PL/pgSQL) whose body starts by raising an exception: it fails unconditionally,
 * the usual way of writing "this migration cannot be rolled back".
 */
export function raisesUnconditionally(node: Node): boolean {
  const block = bodyOf(node, "DoStmt");
  if (!block) return false;
  let body: string | undefined;
  let language = "plpgsql";
  for (const option of defElems(block.args)) {
    if (option.defname === "as") body = bodyOf(option.arg, "String")?.sval;
    if (option.defname === "language") language = (bodyOf(option.arg, "String")?.sval ?? language).toLowerCase();
  }
  if (body === undefined || language !== "plpgsql") return false;
  const code = body.replace(SQL_COMMENTS, " ");
  return /^\s*(?:<<\w+>>\s*)?(?:DECLARE\b[\s\S]*?)?\bBEGIN\s+RAISE\b(?!\s+(?:DEBUG|LOG|INFO|NOTICE|WARNING)\b)/i.test(code);
}

/** A `SET`/`RESET` of a setting: which one, and whether it sets a non-zero value. */
export interface SettingChange {
  /** The setting's name; undefined for RESET ALL. */
  name: string | undefined;
  resetAll: boolean;
  /** SET to a value other than 0 (a timeout of 0 is no timeout). */
  on: boolean;
  local: boolean;
}

function isZero(args: readonly Node[] | undefined): boolean {
  const value = bodyOf(args?.[0], "A_Const");
  if (!value) return false;
  if (value.ival) return (value.ival.ival ?? 0) === 0;
  return /^\s*0\s*(ms|s|min)?\s*$/i.test(value.sval?.sval ?? "");
}

export function settingChange(node: Node): SettingChange | undefined {
  const set = bodyOf(node, "VariableSetStmt");
  if (!set) return undefined;
  return { name: set.name, resetAll: set.kind === "VAR_RESET_ALL", on: set.kind === "VAR_SET_VALUE" && !isZero(set.args), local: set.is_local === true };
}
