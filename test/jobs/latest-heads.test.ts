import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { RedisLatestHeads } from "../../src/jobs/bullmq/latest-heads.js";
import { createEmbeddedQueue } from "../../src/jobs/embedded-queue.js";
import { announcedAt, latestHeadKey, type LatestHeadStore } from "../../src/jobs/latest-heads.js";
import { testRedisUrl } from "../helpers/redis.js";

const KEY = latestHeadKey(42, "pr:1296269#2");
const A = "a".repeat(40);
const B = "b".repeat(40);

function behavesAsLatestHeads(name: string, open: () => Promise<{ heads: LatestHeadStore; close: () => Promise<void> }>) {
  describe(`latest heads: ${name}`, () => {
    it("knows nothing of a pull request no event announced", async () => {
      const { heads, close } = await open();
      expect(await heads.latest(KEY)).toBeUndefined();
      await close();
    });

    it("keeps the head announced last by GitHub's clock, whichever event is recorded first", async () => {
      const { heads, close } = await open();
      await heads.record(KEY, B, 2_000);
      await heads.record(KEY, A, 1_000);
      expect(await heads.latest(KEY)).toBe(B);
      await heads.record(KEY, A, 3_000);
      expect(await heads.latest(KEY)).toBe(A);
      // Two pushes within one second of GitHub's clock: the last record wins.
      await heads.record(KEY, B, 3_000);
      expect(await heads.latest(KEY)).toBe(B);
      expect(await heads.latest(latestHeadKey(43, "pr:1296269#2"))).toBeUndefined();
      await close();
    });
  });
}

behavesAsLatestHeads("embedded store", () => {
  const dir = mkdtempSync(join(tmpdir(), "de-heads-"));
  const queue = createEmbeddedQueue({ dataDir: dir });
  return Promise.resolve({
    heads: queue.heads,
    close: async () => {
      await queue.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

const redisUrl = await testRedisUrl();
const PREFIX = `de-heads-${process.pid}-${randomUUID().slice(0, 8)}:`;
if (redisUrl !== undefined) {
  const clients: Redis[] = [];
  afterAll(async () => {
    const redis = new Redis(redisUrl);
    for (const key of await redis.keys(`${PREFIX}*`)) await redis.del(key);
    await redis.quit();
  });
  behavesAsLatestHeads("Redis", () => {
    const client = new Redis(redisUrl);
    clients.push(client);
    const namespace = `${PREFIX}${randomUUID().slice(0, 8)}:`;
    return Promise.resolve({
      heads: new RedisLatestHeads(client, namespace, 60_000),
      close: async () => {
        await client.quit();
      },
    });
  });
}

describe("announcedAt", () => {
  it("reads GitHub's updated_at, and falls back when the event has none", () => {
    expect(announcedAt("2026-01-01T00:00:01Z", 5)).toBe(Date.UTC(2026, 0, 1, 0, 0, 1));
    expect(announcedAt(undefined, 5)).toBe(5);
    expect(announcedAt("not a date", 5)).toBe(5);
  });
});
