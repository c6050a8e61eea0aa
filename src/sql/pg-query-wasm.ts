import type { ParseResult, ScanResult } from "libpg-query";
import type { PgQueryWasmModule } from "libpg-query/wasm/libpg-query.js";

/**
 * libpg-query's parser and scanner called on its WASM module directly, for the same results as
 * its parseSync and scanSync (the same C functions, the same JSON) at less cost: they copy the
 * text into WASM memory and the JSON back out one byte at a time in JavaScript, which on a large
 * folder cost about a quarter of the parse. Here the native TextEncoder writes the text straight
 * into WASM memory and the JSON's end is found by a typed-array search.
 */

/** A text the parser refused, with what libpg-query's SqlError carries (`sqlDetails`). */
export class PgQuerySyntaxError extends Error {
  constructor(
    message: string,
    readonly sqlDetails: { message: string; cursorPosition: number; fileName?: string; functionName?: string; lineNumber?: number },
  ) {
    super(message);
    this.name = "SqlError";
  }
}

let wasm: PgQueryWasmModule | undefined;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Compiles and instantiates the parser's WASM once. */
export async function loadPgQueryWasm(): Promise<void> {
  if (wasm) return;
  const { default: factory } = await import("libpg-query/wasm/libpg-query.js");
  wasm ??= await factory();
}

function loaded(): PgQueryWasmModule {
  if (!wasm) throw new Error("the SQL parser is not loaded: call loadSqlParser() first");
  return wasm;
}

/** The size of the parser's WASM memory in bytes (it grows when allocations outlive their call). */
export function pgQueryMemoryBytes(): number {
  return loaded().HEAPU8.length;
}

/** Copies `text` into WASM memory, NUL-terminated: its address and its length in UTF-8 bytes. */
function copyIn(module: PgQueryWasmModule, text: string): { pointer: number; bytes: number } {
  // At most 3 bytes a UTF-16 unit; the exact size would cost a pass over the text.
  const capacity = text.length * 3 + 1;
  const pointer = module._malloc(capacity);
  if (!pointer) throw new Error("the SQL parser is out of memory");
  const heap = module.HEAPU8;
  const { written } = encoder.encodeInto(text, heap.subarray(pointer, pointer + capacity - 1));
  heap[pointer + written] = 0;
  return { pointer, bytes: written };
}

/** The NUL-terminated UTF-8 text at `pointer`. */
function copyOut(module: PgQueryWasmModule, pointer: number): string {
  const heap = module.HEAPU8;
  const end = heap.indexOf(0, pointer);
  return decoder.decode(heap.subarray(pointer, end < 0 ? heap.length : end));
}

/** Parses `text` (one or more statements) as libpg-query's parseSync does: its tree and the text's length in UTF-8 bytes. */
export function parseWasm(text: string): { tree: ParseResult; bytes: number } {
  const module = loaded();
  const { pointer, bytes } = copyIn(module, text);
  let result = 0;
  try {
    result = module._wasm_parse_query_raw(pointer);
    if (!result) throw new Error("the SQL parser is out of memory");
    // PgQueryParseResult: { char *parse_tree; char *stderr_buffer; PgQueryError *error }
    const words = module.HEAPU32;
    const tree = words[result >> 2] ?? 0;
    const error = words[(result + 8) >> 2] ?? 0;
    if (error) throw syntaxErrorAt(module, error);
    if (!tree) throw new Error("the SQL parser returned no tree");
    return { tree: JSON.parse(copyOut(module, tree)) as ParseResult, bytes };
  } finally {
    module._free(pointer);
    if (result) module._wasm_free_parse_result(result);
  }
}

/** PgQueryError: { char *message; char *funcname; char *filename; int lineno; int cursorpos; … }, as libpg-query reports it. */
function syntaxErrorAt(module: PgQueryWasmModule, error: number): PgQuerySyntaxError {
  const words = module.HEAPU32;
  const text = (at: number) => {
    const pointer = words[(error + at) >> 2] ?? 0;
    return pointer ? copyOut(module, pointer) : undefined;
  };
  const message = text(0) ?? "Unknown error";
  const functionName = text(4);
  const fileName = text(8);
  // C ints: read signed.
  const lineNumber = (words[(error + 12) >> 2] ?? 0) | 0;
  const cursor = (words[(error + 16) >> 2] ?? 0) | 0;
  return new PgQuerySyntaxError(message, {
    message,
    // 1-based in the C struct, 0 when unknown: libpg-query gives it 0-based.
    cursorPosition: cursor > 0 ? cursor - 1 : 0,
    ...(fileName !== undefined ? { fileName } : {}),
    ...(functionName !== undefined ? { functionName } : {}),
    ...(lineNumber > 0 ? { lineNumber } : {}),
  });
}

/** The tokens of `text`, as libpg-query's scanSync gives them; throws on a lexical error. */
export function scanWasm(text: string): ScanResult {
  const module = loaded();
  const { pointer } = copyIn(module, text);
  let result = 0;
  try {
    result = module._wasm_scan(pointer);
    const json = copyOut(module, result);
    if (json.startsWith("syntax error") || json.startsWith("deparse error") || json.startsWith("ERROR")) throw new Error(json);
    return JSON.parse(json) as ScanResult;
  } finally {
    module._free(pointer);
    if (result) module._wasm_free_string(result);
  }
}
