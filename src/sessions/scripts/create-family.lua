-- Create a refresh-token family (login): generation 1, bound to the user's current session version, and, when the
-- user is at MAX_SESSIONS_PER_USER, evict the least recently used live families in the same atomic step.
-- Every key must be declared, so the caller passes the families it read from the index; if the index holds one it
-- did not pass (a concurrent login), the script changes nothing and answers 'stale' for the caller to retry.
-- KEYS[1] = user hash   KEYS[2] = user's family index (zset)   KEYS[3] = new family hash
-- KEYS[4..] = existing family hashes, as listed by the caller (only when a session limit is set)
-- ARGV[1] = family id   ARGV[2] = hash of generation 1's secret   ARGV[3] = now (ms)
-- ARGV[4] = idle TTL (ms)   ARGV[5] = absolute TTL (ms)   ARGV[6] = user agent   ARGV[7] = client ip
-- ARGV[8] = max sessions (0 = unlimited)   ARGV[9..] = existing family ids, in the order of KEYS[4..]
-- Returns: { 'ok', sessionVersion, absoluteExpiryMs, evictedFamilyId... } or { 'no_user' } / { 'disabled' } / { 'stale' }
if redis.call('EXISTS', KEYS[1]) == 0 then
  return { 'no_user' }
end
local user = redis.call('HMGET', KEYS[1], 'sv', 'dis')
if user[2] == '1' then
  return { 'disabled' }
end
local now = tonumber(ARGV[3])
local idle = tonumber(ARGV[4])
local absolute = tonumber(ARGV[5])
local maxSessions = tonumber(ARGV[8])
local sv = tonumber(user[1] or '0')
local ax = now + absolute

-- Index by last use; members idle for longer than the idle TTL are dead, so prune them here.
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. (now - idle))

local evicted = {}
if maxSessions > 0 then
  local listed = {}
  for i = 9, #ARGV do listed[ARGV[i]] = KEYS[i - 5] end
  local members = redis.call('ZRANGE', KEYS[2], 0, -1) -- least recently used first
  local live = {}
  for _, id in ipairs(members) do
    local key = listed[id]
    if not key then return { 'stale' } end
    local f = redis.call('HMGET', key, 'g', 'rv', 'sv')
    if f[1] and not f[2] and tonumber(f[3]) >= sv then
      table.insert(live, { id = id, key = key })
    else
      redis.call('ZREM', KEYS[2], id) -- expired, revoked or from an older session version
    end
  end
  local excess = #live + 1 - maxSessions
  for i = 1, excess do
    redis.call('HSET', live[i].key, 'rv', 'evicted')
    redis.call('HDEL', live[i].key, 'h', 'ph', 'n')
    redis.call('ZREM', KEYS[2], live[i].id)
    table.insert(evicted, live[i].id)
  end
end

redis.call('HSET', KEYS[3], 'g', 1, 'h', ARGV[2], 'rt', now, 'gc', 0, 'sv', sv,
  'c', now, 'lu', now, 'ax', ax, 'ua', ARGV[6], 'ip', ARGV[7])
redis.call('PEXPIRE', KEYS[3], math.min(idle, absolute))
redis.call('ZADD', KEYS[2], now, ARGV[1])
if redis.call('PTTL', KEYS[2]) < absolute then
  redis.call('PEXPIRE', KEYS[2], absolute)
end
local reply = { 'ok', sv, ax }
for _, id in ipairs(evicted) do table.insert(reply, id) end
return reply
