import { createServer } from "node:net";

/**
 * A free port on 127.0.0.1 (free when asked: another process may take it before the caller binds
 * it, so callers that can retry do). Imports no test framework: bench/ uses it too.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port was given"))));
    });
  });
}
