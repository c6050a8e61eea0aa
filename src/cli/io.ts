/** Where a command writes; tests pass buffers, the binary passes the process streams. */
export interface CliIo {
  out(text: string): void;
  /** Writes bytes that are UTF-8 text already (a cached run's output), when the stream takes bytes. */
  outBytes?(bytes: Uint8Array): void;
  err(text: string): void;
  cwd: string;
  /** The environment (GEMINI_API_KEY turns the agent on); none when absent. */
  env?: NodeJS.ProcessEnv;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  outBytes: (bytes) => process.stdout.write(bytes),
  err: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
};

/** Writes UTF-8 bytes: as they are when the stream takes bytes, decoded otherwise. */
export function writeBytes(io: CliIo, bytes: Uint8Array): void {
  if (io.outBytes) io.outBytes(bytes);
  else io.out(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, findings: 1, usage: 2, internal: 3 } as const;
