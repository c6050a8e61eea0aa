import { describe, expect, it } from "vitest";
import { ReplayUnavailableError, type EngineOptions, type ReplayEngine } from "../../src/replay/engine.js";
import { fingerprint } from "../../src/replay/fingerprint.js";
import { openPgliteEngine } from "../../src/replay/pglite-engine.js";
import { openFromPristine, pristineKey } from "../../src/replay/pglite-pristine.js";
import type { ReplayCache } from "../../src/replay/replay-migrations.js";

/**
 * The embedded engine's empty start from a kept image of a new cluster (issue 20 item 6): the
 * image is taken the moment the first new cluster starts, before any statement runs, so it holds
 * no migration's objects and no pull request's roles; later empty starts load it instead of initdb.
 */

class MemoryCache implements ReplayCache {
  readonly images = new Map<string, Uint8Array>();
  readonly dropped: string[] = [];
  get(key: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.images.get(key));
  }
  put(key: string, image: Uint8Array): Promise<void> {
    this.images.set(key, image);
    return Promise.resolve();
  }
  drop(key: string): Promise<void> {
    this.dropped.push(key);
    this.images.delete(key);
    return Promise.resolve();
  }
}

/** An engine that records what is done to it, in order. */
function recordingEngine(log: string[], from: Uint8Array | undefined): ReplayEngine {
  return {
    kind: "pglite",
    version: "PostgreSQL 18",
    exec: (sql) => Promise.resolve(void log.push(`exec ${sql}`)),
    query: (sql) => Promise.resolve(void log.push(`query ${sql}`)).then(() => []),
    snapshot: () => Promise.resolve(void log.push("snapshot")).then(() => new Uint8Array([from === undefined ? 1 : 2])),
    close: () => Promise.resolve(),
  };
}

const OPTIONS: EngineOptions = { deadlineMs: 60_000 };

describe("the pristine cluster image of the embedded engine", () => {
  it("keeps the first new cluster as it starts, before any statement, and starts later empty bases from it", async () => {
    const cache = new MemoryCache();
    const log: string[] = [];
    const opened: Array<Uint8Array | undefined> = [];
    const open = (options: EngineOptions) => {
      opened.push(options.from);
      log.push(options.from === undefined ? "new cluster" : "from image");
      return Promise.resolve(recordingEngine(log, options.from));
    };

    const first = await openFromPristine(cache, "pglite-0.5.16", OPTIONS, open);
    await first.exec("CREATE ROLE app_reader NOLOGIN");
    expect(log).toEqual(["new cluster", "snapshot", "exec CREATE ROLE app_reader NOLOGIN"]);
    expect([...cache.images.keys()]).toEqual([pristineKey("pglite-0.5.16")]);
    expect(pristineKey("pglite-0.5.16")).toMatch(/^[a-z0-9-]+$/);

    log.length = 0;
    await openFromPristine(cache, "pglite-0.5.16", OPTIONS, open);
    expect(log).toEqual(["from image"]);
    expect(opened[1]).toEqual(new Uint8Array([1]));
  });

  it("forgets an image that does not open and makes a new cluster instead", async () => {
    const cache = new MemoryCache();
    const key = pristineKey("pglite-0.5.16");
    cache.images.set(key, new Uint8Array([9, 9]));
    const log: string[] = [];
    const open = (options: EngineOptions) => {
      if (options.from !== undefined) return Promise.reject(new ReplayUnavailableError("the embedded Postgres did not start: bad image", "engine"));
      log.push("new cluster");
      return Promise.resolve(recordingEngine(log, undefined));
    };
    await openFromPristine(cache, "pglite-0.5.16", OPTIONS, open);
    expect(cache.dropped).toEqual([key]);
    expect(log).toEqual(["new cluster", "snapshot"]);
    expect(cache.images.get(key)).toEqual(new Uint8Array([1]));
  });

  it("lets the deadline through instead of taking it for a damaged image", async () => {
    const cache = new MemoryCache();
    cache.images.set(pristineKey("pglite-0.5.16"), new Uint8Array([1]));
    const late = new ReplayUnavailableError("the replay ran past 1 s, its time limit", "deadline");
    await expect(openFromPristine(cache, "pglite-0.5.16", OPTIONS, () => Promise.reject(late))).rejects.toBe(late);
    expect(cache.dropped).toEqual([]);
  });
});

describe("a real PGlite started from its pristine image", () => {
  it("is the cluster initdb makes: same roles, databases, settings and an empty schema", async () => {
    const cache = new MemoryCache();
    const describe = async (engine: ReplayEngine) => ({
      roles: await engine.query("SELECT rolname, rolsuper, rolcanlogin FROM pg_roles ORDER BY 1"),
      databases: await engine.query("SELECT datname, datallowconn FROM pg_database ORDER BY 1"),
      settings: await engine.query("SELECT name, setting FROM pg_settings WHERE source NOT IN ('default', 'session', 'client') ORDER BY 1"),
      schema: await fingerprint(engine),
    });
    const fresh = await openFromPristine(cache, "pglite-test", OPTIONS, openPgliteEngine);
    let before;
    try {
      before = await describe(fresh);
    } finally {
      await fresh.close();
    }
    expect(cache.images.size).toBe(1);
    const restored = await openFromPristine(cache, "pglite-test", OPTIONS, (options) => {
      expect(options.from).toBeDefined();
      return openPgliteEngine(options);
    });
    try {
      expect(await describe(restored)).toEqual(before);
      await restored.exec("CREATE TABLE orders (id bigint PRIMARY KEY)");
    } finally {
      await restored.close();
    }
  }, 120_000);
});
