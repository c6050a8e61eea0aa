/**
 * libpg-query's Emscripten glue (the package ships no types for it): a factory that compiles and
 * instantiates the parser's WASM. Only what pg-query-wasm.ts calls is declared.
 */
declare module "libpg-query/wasm/libpg-query.js" {
  export interface PgQueryWasmModule {
    /** The WASM memory as bytes; a new view after the memory grows (read it after every call that may allocate). */
    HEAPU8: Uint8Array;
    HEAPU32: Uint32Array;
    _malloc(size: number): number;
    _free(pointer: number): void;
    /** Parses the NUL-terminated UTF-8 text at `query`: a pointer to { tree JSON, stderr, error }. */
    _wasm_parse_query_raw(query: number): number;
    _wasm_free_parse_result(result: number): void;
    /** Scans the NUL-terminated UTF-8 text at `query`: a pointer to its tokens as JSON, or an error's text. */
    _wasm_scan(query: number): number;
    _wasm_free_string(text: number): void;
  }
  const factory: () => Promise<PgQueryWasmModule>;
  export default factory;
}
