/**
 * @module relay/redis/scripts
 * Lua scripts of the Redis backplane: each is one atomic step, so two relays never see half a
 * session or half a presence change. Keys (relay/redis/redis-backplane.ts `keys()`):
 * s = session record, n = name index, o = online members (sorted by subscription order),
 * t = member → subscription token (`nodeId:n`), node keys `<prefix>node:<id>` = node alive.
 */

/** KEYS: s, n. ARGV: record JSON, ttl ms, key. → 1 created, 0 taken. */
export const CREATE_SESSION = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  redis.call('SADD', KEYS[2], ARGV[3])
  if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
  return 1
end
return 0`;

/** KEYS: s, n, o, t. ARGV: key. */
export const DELETE_SESSION = `
redis.call('DEL', KEYS[1], KEYS[3], KEYS[4])
redis.call('SREM', KEYS[2], ARGV[1])
return 1`;

/** KEYS: s, n, o, t. ARGV: ttl ms. Keeps a session and its index alive while it is used. */
export const REFRESH_SESSION = `
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return 0 end
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[2], ARGV[1]) end
redis.call('PEXPIRE', KEYS[3], ARGV[1])
redis.call('PEXPIRE', KEYS[4], ARGV[1])
return 1`;

/** KEYS: o, t, order counter. ARGV: member, token, ttl ms. Newest subscription wins. */
export const SUBSCRIBE = `
local n = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[1], n, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return n`;

/** KEYS: o, t. ARGV: member, token. Removes the member only if this subscription is its newest. */
export const UNSUBSCRIBE = `
if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
return 0`;

/** KEYS: o, t. ARGV: node key prefix. → members whose node is alive, in subscription order. */
export const ONLINE = `
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local out = {}
local alive = {}
for _, m in ipairs(members) do
  local token = redis.call('HGET', KEYS[2], m)
  if token then
    local node = string.match(token, '^([^:]+):')
    if alive[node] == nil then alive[node] = redis.call('EXISTS', ARGV[1] .. node) == 1 end
    if alive[node] then out[#out + 1] = m end
  end
end
return out`;

/** KEYS: o. ARGV: channel, envelope, excluded member. → members the broadcast was addressed to. */
export const BROADCAST = `
redis.call('PUBLISH', ARGV[1], ARGV[2])
local n = redis.call('ZCARD', KEYS[1])
if ARGV[3] ~= '' and redis.call('ZSCORE', KEYS[1], ARGV[3]) then n = n - 1 end
return n`;
