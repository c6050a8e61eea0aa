import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * The Lua scripts that change the adapter's job records atomically. A job record is a hash with
 * `s` (queued | running | done | dead | superseded), `kind`, `inst`, `key`, `payload` (JSON),
 * `enq` (enqueued at), `runs` (runs started), `err` (last failure) and `fin` (finished at). Times come from the Redis clock, so the
 * replicas' clocks do not matter. Slots (one per coalesce key, `perInstallation` per installation)
 * are sorted sets of job ids scored by lease expiry; a job blocked on a slot is added to the slot's
 * `:waiters` set, and whoever frees the slot gets one waiter back to promote it.
 */

export interface LuaScript {
  readonly lua: string;
  readonly sha: string;
}

function script(body: string): LuaScript {
  const lua = `${PRELUDE}\n${body}`;
  return { lua, sha: createHash("sha1").update(lua).digest("hex") };
}

/** Runs a script by its hash, loading it when the server does not know it (yet, or any more). */
export async function runScript(client: Redis, lua: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
  try {
    return await client.evalsha(lua.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
    return client.eval(lua.lua, keys.length, ...keys, ...args);
  }
}

const PRELUDE = `
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- Frees a slot held by a job and hands back one queued job that waited for it (one slot, one job:
-- the others keep waiting for the next slot, or look again after their wait). Waiters that are not
-- queued any more (superseded, or running after looking again) are dropped on the way.
local function releaseSlot(slot, id, out, jobPrefix)
  redis.call('ZREM', slot, id)
  for _ = 1, 50 do
    local waiter = redis.call('SPOP', slot .. ':waiters')
    if not waiter then return end
    if redis.call('HGET', jobPrefix .. waiter, 's') == 'queued' then
      out[#out + 1] = waiter
      return
    end
  end
end
local function acquireSlot(slot, id, limit, now, lease)
  redis.call('ZREMRANGEBYSCORE', slot, '-inf', now)
  -- The same job holding it already: a run from a process that died, recovered.
  if redis.call('ZSCORE', slot, id) or redis.call('ZCARD', slot) < limit then
    redis.call('ZADD', slot, now + lease, id)
    redis.call('PEXPIRE', slot, lease * 2)
    redis.call('SREM', slot .. ':waiters', id)
    return true
  end
  return false
end
local function waitFor(slot, id, lease)
  local waitersKey = slot .. ':waiters'
  redis.call('SADD', waitersKey, id)
  redis.call('PEXPIRE', waitersKey, lease * 4)
  return waitersKey
end
local function markSuperseded(jobKey, supersededKey, hooksKey, id, owner, now, retention)
  redis.call('HSET', jobKey, 's', 'superseded', 'fin', now)
  redis.call('PEXPIRE', jobKey, retention)
  redis.call('ZREMRANGEBYSCORE', supersededKey, '-inf', '(' .. (now - retention))
  redis.call('ZADD', supersededKey, now, id)
  redis.call('HSET', hooksKey, id, owner)
end
`;

/**
 * KEYS: job, latest (or none), BullMQ job, superseded, hooks.
 * ARGV: id, kind, installation ("" none), coalesce key ("" none), payload, retention ms, hook
 * owner, job key prefix.
 * Returns {0} when the id is known; else {1, staleBullJob, [previous id, its state]} where the
 * previous job of the coalesce key was "queued" (now superseded) or "running" (to abort).
 */
export const ENQUEUE = script(`
local id = ARGV[1]
if redis.call('EXISTS', KEYS[1]) == 1 then return {0} end
local now = nowMs()
local retention = tonumber(ARGV[6])
redis.call('HSET', KEYS[1], 's', 'queued', 'kind', ARGV[2], 'inst', ARGV[3], 'key', ARGV[4], 'payload', ARGV[5],
  'enq', now, 'runs', 0)
redis.call('PEXPIRE', KEYS[1], retention)
local stale = redis.call('EXISTS', KEYS[3])
if ARGV[4] == '' then return {1, stale} end
local previous = redis.call('GET', KEYS[2])
redis.call('SET', KEYS[2], id, 'PX', retention)
if not previous or previous == id then return {1, stale} end
local previousKey = ARGV[8] .. previous
local state = redis.call('HGET', previousKey, 's')
if state == 'queued' then
  markSuperseded(previousKey, KEYS[4], KEYS[5], previous, ARGV[7], now, retention)
  return {1, stale, previous, 'queued'}
elseif state == 'running' then
  return {1, stale, previous, 'running'}
end
return {1, stale}
`);

/**
 * KEYS: job, latest (or none), key slot (or none), installation slots (or none), superseded, hooks.
 * ARGV: id, owner, lease ms, per-installation limit, max attempts, retention ms, job key prefix.
 * Returns one of:
 * {"gone"} (no record), {"finished", state, err}, {"superseded", promote}, {"blocked", waitersKey,
 * promote}, {"dead", runs, reason, promote}, {"run", runs, record as a flat list}.
 */
export const CLAIM = script(`
local id = ARGV[1]
local state = redis.call('HGET', KEYS[1], 's')
if not state then return {'gone'} end
if state ~= 'queued' and state ~= 'running' then
  return {'finished', state, redis.call('HGET', KEYS[1], 'err') or ''}
end
local now = nowMs()
local lease = tonumber(ARGV[3])
local retention = tonumber(ARGV[6])
local hasKey = (redis.call('HGET', KEYS[1], 'key') or '') ~= ''
local hasInst = (redis.call('HGET', KEYS[1], 'inst') or '') ~= ''
local promote = {}
if hasKey and redis.call('GET', KEYS[2]) ~= id then
  -- A run from a process that died may still hold slots.
  releaseSlot(KEYS[3], id, promote, ARGV[7])
  if hasInst then releaseSlot(KEYS[4], id, promote, ARGV[7]) end
  markSuperseded(KEYS[1], KEYS[5], KEYS[6], id, ARGV[2], now, retention)
  return {'superseded', promote}
end
if hasKey and not acquireSlot(KEYS[3], id, 1, now, lease) then
  return {'blocked', waitFor(KEYS[3], id, lease), promote}
end
if hasInst and not acquireSlot(KEYS[4], id, tonumber(ARGV[4]), now, lease) then
  if hasKey then releaseSlot(KEYS[3], id, promote, ARGV[7]) end
  return {'blocked', waitFor(KEYS[4], id, lease), promote}
end
local runs = tonumber(redis.call('HGET', KEYS[1], 'runs') or '0')
if runs >= tonumber(ARGV[5]) then
  -- Every run it was given ended with its process: it does not get another one.
  if hasKey then releaseSlot(KEYS[3], id, promote, ARGV[7]) end
  if hasInst then releaseSlot(KEYS[4], id, promote, ARGV[7]) end
  local reason = 'the job was running when its process stopped, ' .. runs .. ' times'
  redis.call('HSET', KEYS[1], 's', 'dead', 'fin', now, 'err', reason)
  redis.call('PEXPIRE', KEYS[1], retention)
  redis.call('HSET', KEYS[6], id, ARGV[2])
  return {'dead', runs, reason, promote}
end
runs = redis.call('HINCRBY', KEYS[1], 'runs', 1)
redis.call('HSET', KEYS[1], 's', 'running')
redis.call('PEXPIRE', KEYS[1], retention)
return {'run', runs, redis.call('HGETALL', KEYS[1])}
`);

/**
 * KEYS: job, key slot (or none), installation slots (or none), superseded, hooks.
 * ARGV: id, outcome (done | superseded | dead | retry | requeue), owner, retention ms, reason, job
 * key prefix.
 * Returns the ids of jobs that waited for the freed slots.
 */
export const FINISH = script(`
local id = ARGV[1]
local outcome = ARGV[2]
local now = nowMs()
local retention = tonumber(ARGV[4])
if outcome == 'done' then
  redis.call('HSET', KEYS[1], 's', 'done', 'fin', now)
elseif outcome == 'superseded' then
  markSuperseded(KEYS[1], KEYS[4], KEYS[5], id, ARGV[3], now, retention)
elseif outcome == 'dead' then
  redis.call('HSET', KEYS[1], 's', 'dead', 'fin', now, 'err', ARGV[5])
  redis.call('HSET', KEYS[5], id, ARGV[3])
elseif outcome == 'retry' then
  redis.call('HSET', KEYS[1], 's', 'queued', 'err', ARGV[5])
elseif outcome == 'requeue' then
  -- Stopped by a shutdown: back in the queue, and the run does not count.
  redis.call('HSET', KEYS[1], 's', 'queued')
  redis.call('HINCRBY', KEYS[1], 'runs', -1)
end
redis.call('PEXPIRE', KEYS[1], retention)
local promote = {}
if (redis.call('HGET', KEYS[1], 'key') or '') ~= '' then releaseSlot(KEYS[2], id, promote, ARGV[6]) end
if (redis.call('HGET', KEYS[1], 'inst') or '') ~= '' then releaseSlot(KEYS[3], id, promote, ARGV[6]) end
return promote
`);

/**
 * KEYS: owner, then for each running job: key slot, installation slots, latest (or none each).
 * ARGV: lease ms, then for each running job: id, has key ("1"/"0"), has installation.
 * Renews the owner's and the running jobs' leases; returns the ids of running jobs a newer job of
 * their coalesce key has replaced (a fallback for a lost abort message).
 */
export const HEARTBEAT = script(`
local now = nowMs()
local lease = tonumber(ARGV[1])
redis.call('SET', KEYS[1], '1', 'PX', lease)
local replaced = {}
local n = (#KEYS - 1) / 3
for i = 0, n - 1 do
  local id = ARGV[2 + i * 3]
  local slot = KEYS[2 + i * 3]
  local slots = KEYS[3 + i * 3]
  if ARGV[3 + i * 3] == '1' then
    if redis.call('ZSCORE', slot, id) then
      redis.call('ZADD', slot, now + lease, id)
      redis.call('PEXPIRE', slot, lease * 2)
    end
    if redis.call('GET', KEYS[4 + i * 3]) ~= id then replaced[#replaced + 1] = id end
  end
  if ARGV[4 + i * 3] == '1' and redis.call('ZSCORE', slots, id) then
    redis.call('ZADD', slots, now + lease, id)
    redis.call('PEXPIRE', slots, lease * 2)
  end
end
return replaced
`);

/**
 * KEYS: hooks. ARGV: owner, include parked ("1"/"0"), owner key prefix.
 * Takes the pending hooks nobody alive owns (and the parked ones when asked); returns their ids.
 */
export const CLAIM_HOOKS = script(`
local all = redis.call('HGETALL', KEYS[1])
local taken = {}
for i = 1, #all, 2 do
  local id = all[i]
  local owner = all[i + 1]
  local take = false
  if owner == '!failed' then
    take = ARGV[2] == '1'
  elseif owner == '' then
    take = true
  elseif owner ~= ARGV[1] and redis.call('EXISTS', ARGV[3] .. owner) == 0 then
    take = true
  end
  if take then
    redis.call('HSET', KEYS[1], id, ARGV[1])
    taken[#taken + 1] = id
  end
end
return taken
`);

/** KEYS: hooks. ARGV: id, owner, ok ("1" done, "0" failed: parked until the next start). */
export const HOOK_DONE = script(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if ARGV[3] == '1' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], '!failed')
end
return 1
`);
