import type { FileResultStore } from "../rules/result-store.js";
import { EXIT, type CliIo, writeBytes } from "./io.js";

/**
 * Answers a run from the run cache: writes the stored output and returns the stored exit code, or
 * undefined when the entry is missing or holds no run that ended with a result (only runs that
 * exited with "ok" or "findings" are kept).
 */
export function answerFromStoredRun(store: FileResultStore, key: string, io: CliIo): number | undefined {
  const entry = store.get(key);
  const out = entry?.partBytes("stdout");
  const code = Number(entry?.part("exit"));
  if (out === undefined || (code !== EXIT.ok && code !== EXIT.findings)) return undefined;
  writeBytes(io, out);
  return code;
}

/**
 * Runs a command through the run cache: answers from the entry under `key` when it holds a run
 * that ended with a result; otherwise runs it with its output captured and stores the run when it
 * wrote nothing to stderr, exited with "ok" or "findings" and `storable()` agrees, then prunes the
 * store. Each piece of output is encoded once: the same bytes go to the stream and into the entry
 * (a large folder's report is tens of megabytes; kept as text, it was encoded twice and joined twice).
 */
export async function throughStoredRun(
  store: FileResultStore,
  key: string,
  io: CliIo,
  run: (capturing: CliIo) => Promise<number>,
  storable: () => boolean = () => true,
): Promise<number> {
  const stored = answerFromStoredRun(store, key, io);
  if (stored !== undefined) return stored;
  const out: Buffer[] = [];
  let wroteError = false;
  const capturing: CliIo = {
    ...io,
    out: (text) => {
      const bytes = Buffer.from(text, "utf8");
      out.push(bytes);
      if (io.outBytes) io.outBytes(bytes);
      else io.out(text);
    },
    // Bytes handed over are not written to again (lint's JSON writer allocates each piece anew).
    outBytes: (bytes) => {
      out.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      writeBytes(io, bytes);
    },
    err: (text) => {
      wroteError = true;
      io.err(text);
    },
  };
  const exit = await run(capturing);
  if (!wroteError && storable() && (exit === EXIT.ok || exit === EXIT.findings)) {
    store.put(key, { stdout: out, exit: String(exit) });
    store.prune();
  }
  return exit;
}
