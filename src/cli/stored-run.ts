import type { FileResultStore } from "../rules/result-store.js";
import { EXIT, type CliIo } from "./io.js";

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
  if (io.outBytes) io.outBytes(out);
  else io.out(out.toString("utf8"));
  return code;
}
