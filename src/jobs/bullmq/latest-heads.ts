import type { Redis } from "ioredis";
import type { LatestHeadStore } from "../latest-heads.js";

/**
 * The latest-head records (../latest-heads.ts) in Redis, for every replica: a hash per pull
 * request under the queue's namespace, kept for the retention after its last event. The compare
 * and the write are one script, so two replicas recording two pushes at once keep the later one.
 */
const RECORD = `
local at = tonumber(ARGV[2])
local current = redis.call('HGET', KEYS[1], 'at')
if current and tonumber(current) > at then return 0 end
redis.call('HSET', KEYS[1], 'sha', ARGV[1], 'at', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

export class RedisLatestHeads implements LatestHeadStore {
  constructor(
    private readonly client: Redis,
    /** `<prefix>:<queue>:de:head:`. */
    private readonly namespace: string,
    private readonly retentionMs: number,
  ) {}

  async record(key: string, headSha: string, announcedAt: number): Promise<void> {
    await this.client.eval(RECORD, 1, this.namespace + key, headSha, String(announcedAt), String(this.retentionMs));
  }

  async latest(key: string): Promise<string | undefined> {
    return (await this.client.hget(this.namespace + key, "sha")) ?? undefined;
  }
}
