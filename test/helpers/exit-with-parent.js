// Preloaded (`node --import`) into the built app that test/helpers/app-process.ts starts: the app
// ends itself when the test worker that started it is gone. Vitest stops its workers with SIGTERM,
// which runs no exit handler, and the app left behind would keep serving and, being graceful,
// ignore SIGTERM for its shutdown grace. The worker's pid comes in EXIT_WITH_PARENT_PID.
import process from "node:process";
import { setInterval } from "node:timers";
import { isMainThread } from "node:worker_threads";

const parent = Number(process.env.EXIT_WITH_PARENT_PID) || process.ppid;
if (isMainThread) {
  setInterval(() => {
    // Orphans are adopted by init or a subreaper: the parent pid changes.
    if (process.ppid !== parent) process.kill(process.pid, "SIGKILL");
  }, 250).unref();
}
