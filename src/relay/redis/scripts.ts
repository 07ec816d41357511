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

/** KEYS: s, n, o, t, inbox set. ARGV: key, prefix. Also drops the session's inboxes. */
export const DELETE_SESSION = `
for _, m in ipairs(redis.call('SMEMBERS', KEYS[5])) do
  redis.call('DEL', ARGV[2] .. 'im:' .. ARGV[1] .. ':' .. m, ARGV[2] .. 'i:' .. ARGV[1] .. ':' .. m)
end
redis.call('DEL', KEYS[1], KEYS[3], KEYS[4], KEYS[5])
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

// ---- offline inbox (inbox.ts): per member a stream `i:<key>:<member>` of entries with ids
// `<seq>-0` and fields f (frame), t (ms); a hash `im:<key>:<member>` with epoch, last (newest
// seq), bytes and the caps; a set `is:<key>` of members with an inbox. TTLs = the window.

/** Lua helpers shared by the inbox scripts (prepended to each). */
const INBOX_LIB = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function pop_head(meta, stream)
  local h = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)[1]
  if not h then return false end
  redis.call('XDEL', stream, h[1])
  redis.call('HINCRBY', meta, 'bytes', -string.len(h[2][2]))
  return true
end
local function trim(meta, stream, now)
  local c = redis.call('HMGET', meta, 'maxFrames', 'maxBytes', 'window')
  local maxFrames, maxBytes, window = tonumber(c[1]), tonumber(c[2]), tonumber(c[3])
  while true do
    local h = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)[1]
    if not h then return end
    local over = redis.call('XLEN', stream) > maxFrames or tonumber(redis.call('HGET', meta, 'bytes')) > maxBytes
      or tonumber(h[2][4]) < now - window
    if not over then return end
    pop_head(meta, stream)
  end
end
local function ack(meta, stream, upto)
  while true do
    local h = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)[1]
    if not h or tonumber(string.match(h[1], '^(%d+)')) > upto then return end
    pop_head(meta, stream)
  end
end
local function keep(meta, stream, set, ttl)
  redis.call('PEXPIRE', meta, ttl)
  redis.call('PEXPIRE', stream, ttl)
  if redis.call('PTTL', set) < ttl then redis.call('PEXPIRE', set, ttl) end
end
local function append(meta, stream, set, frame)
  local seq = redis.call('HINCRBY', meta, 'last', 1)
  local now = now_ms()
  redis.call('XADD', stream, seq .. '-0', 'f', frame, 't', now)
  redis.call('HINCRBY', meta, 'bytes', string.len(frame))
  trim(meta, stream, now)
  keep(meta, stream, set, tonumber(redis.call('HGET', meta, 'window')))
  return seq
end
local function with_seq(envelope, head_len, seq)
  local s = tostring(seq)
  return string.sub(envelope, 1, head_len) .. string.char(string.len(s)) .. s .. string.sub(envelope, head_len + 2)
end
`;

/**
 * KEYS: meta, stream, set. ARGV: member, asked epoch ('' = fresh), after, new epoch, maxFrames,
 * maxBytes, window ms. → { epoch, after, gap (0/1) }.
 */
export const INBOX_OPEN = `${INBOX_LIB}
local epoch = redis.call('HGET', KEYS[1], 'epoch')
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
local after = tonumber(ARGV[3])
if epoch and ARGV[2] ~= '' and epoch == ARGV[2] and after <= last then
  ack(KEYS[1], KEYS[2], after)
  trim(KEYS[1], KEYS[2], now_ms())
  keep(KEYS[1], KEYS[2], KEYS[3], tonumber(redis.call('HGET', KEYS[1], 'window')))
  local h = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
  local first = last + 1
  if h then first = tonumber(string.match(h[1], '^(%d+)')) end
  local start = math.max(after, first - 1)
  local gap = 0
  if first - 1 > after then gap = 1 end
  return { epoch, start, gap }
end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'epoch', ARGV[4], 'last', 0, 'bytes', 0,
  'maxFrames', ARGV[5], 'maxBytes', ARGV[6], 'window', ARGV[7])
redis.call('SADD', KEYS[3], ARGV[1])
keep(KEYS[1], KEYS[2], KEYS[3], tonumber(ARGV[7]))
local gap = 0
if ARGV[2] ~= '' then gap = 1 end
return { ARGV[4], 0, gap }`;

/** KEYS: meta, stream. ARGV: upto. */
export const INBOX_ACK = `${INBOX_LIB}
ack(KEYS[1], KEYS[2], tonumber(ARGV[1]))
return 1`;

/** KEYS: meta, stream, set. Keeps a connected member's inbox alive. */
export const INBOX_TOUCH = `${INBOX_LIB}
local w = redis.call('HGET', KEYS[1], 'window')
if w then keep(KEYS[1], KEYS[2], KEYS[3], tonumber(w)) end
return 1`;

/**
 * A member's frames to one member, published as one batch message (envelope.ts: type 3, u32
 * count, then u32 length + envelope each), or as a plain envelope when there is one.
 * KEYS: meta, stream, set. ARGV: channel, then per frame
 * its envelope (with an empty seq part) and head length. With an inbox every frame is appended
 * and numbered first. → 1 addressed, 0 not.
 */
export const UNICAST = `${INBOX_LIB}
local boxed = redis.call('EXISTS', KEYS[1]) == 1
local count = (#ARGV - 1) / 2
if count == 1 then
  -- one frame (a large one, usually): published as a plain envelope, without copying it again
  local env = ARGV[2]
  if boxed then
    local head = tonumber(ARGV[3])
    env = with_seq(env, head, append(KEYS[1], KEYS[2], KEYS[3], string.sub(env, head + 2)))
  end
  local n = redis.call('PUBLISH', ARGV[1], env)
  if boxed or n > 0 then return 1 end
  return 0
end
local out = { string.char(3), struct.pack('>I4', count) }
for i = 0, count - 1 do
  local env, head = ARGV[2 + 2 * i], tonumber(ARGV[3 + 2 * i])
  if boxed then
    local seq = append(KEYS[1], KEYS[2], KEYS[3], string.sub(env, head + 2))
    env = with_seq(env, head, seq)
  end
  out[#out + 1] = struct.pack('>I4', string.len(env))
  out[#out + 1] = env
end
local n = redis.call('PUBLISH', ARGV[1], table.concat(out))
if boxed or n > 0 then return 1 end
return 0`;

/**
 * A member's broadcast: to every online member and every member with an inbox, except the
 * sender, each on its own channel (numbered when it has an inbox). KEYS: o, set. ARGV: key
 * prefix for member keys (`<p>`), session key, envelope, head length, excluded member. Touches
 * keys it builds from the prefix (fine on a single Redis; not cluster-safe).
 * → members addressed.
 */
export const MEMBER_BROADCAST = `${INBOX_LIB}
local targets = {}
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do targets[m] = true end
for _, m in ipairs(redis.call('SMEMBERS', KEYS[2])) do targets[m] = true end
targets[ARGV[5]] = nil
local frame = string.sub(ARGV[3], tonumber(ARGV[4]) + 2)
local n = 0
for m, _ in pairs(targets) do
  local suffix = ARGV[2] .. ':' .. m
  local meta, stream = ARGV[1] .. 'im:' .. suffix, ARGV[1] .. 'i:' .. suffix
  local channel = ARGV[1] .. 'm:' .. suffix
  if redis.call('EXISTS', meta) == 1 then
    local seq = append(meta, stream, KEYS[2], frame)
    redis.call('PUBLISH', channel, with_seq(ARGV[3], tonumber(ARGV[4]), seq))
    n = n + 1
  elseif redis.call('ZSCORE', KEYS[1], m) then
    redis.call('PUBLISH', channel, ARGV[3])
    n = n + 1
  end
end
return n`;
