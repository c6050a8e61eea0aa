import type { Redis } from "ioredis";

/** Closes a connection after its pending replies; one that is not connected is dropped at once. */
export async function quit(connection: Redis): Promise<void> {
  if (connection.status === "end") return;
  if (connection.status !== "ready") {
    connection.disconnect();
    return;
  }
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  }
}
