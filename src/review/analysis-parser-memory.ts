/**
 * The WebAssembly memory of the analysis worker: libpg-query's heap. It is not in
 * `process.memoryUsage().arrayBuffers` (measured: 0.1 MiB while the module held 128 MiB), and
 * `external` only approximates it among other things; the memory object's own size is exact.
 * Emscripten's module keeps its memory to itself, so this module records every memory exported
 * by a WebAssembly instance created after `watchParserMemory()`: call it before the parser loads.
 * The memory grows with what is parsed (128 MiB at start; 154 MiB after one 3 MiB parse) and
 * never shrinks: only a new worker gives it back.
 */

/** What is used here of the WebAssembly API (the project's lib has no DOM, where its types live). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  instantiate(source: unknown, imports?: unknown): Promise<unknown>;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const memories: WasmMemory[] = [];
let watching = false;

function record(created: unknown): void {
  // (bytes, imports) resolves to { module, instance }; (module, imports) to the instance itself.
  const instance = (typeof created === "object" && created !== null && "instance" in created ? created.instance : created) as {
    exports?: Record<string, unknown>;
  };
  for (const value of Object.values(instance.exports ?? {})) if (value instanceof wasm.Memory) memories.push(value);
}

/** From now on, the memories of every new WebAssembly instance are counted. */
export function watchParserMemory(): void {
  if (watching) return;
  watching = true;
  const instantiate = wasm.instantiate.bind(wasm);
  wasm.instantiate = async (source, imports) => {
    const created = await instantiate(source, imports);
    record(created);
    return created;
  };
}

/** Bytes of WebAssembly memory the worker's instances hold now. */
export function parserMemoryBytes(): number {
  return memories.reduce((sum, memory) => sum + memory.buffer.byteLength, 0);
}
