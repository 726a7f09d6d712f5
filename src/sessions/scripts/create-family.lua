-- Create a refresh-token family (login): generation 1, bound to the user's current session version. In the same
-- atomic step: prune dead families and, when the user is at MAX_SESSIONS_PER_USER, evict the least recently used.
-- KEYS[1] = user hash
-- ARGV[1] = family id   ARGV[2] = hash of generation 1's secret (16 raw bytes)   ARGV[3] = now (ms)
-- ARGV[4] = idle TTL (ms)   ARGV[5] = absolute TTL (ms)   ARGV[6] = metadata (ip and user agent summary)
-- ARGV[7] = max sessions (0 = unlimited)
-- Returns: { 'ok', sessionVersion, absoluteExpiryMs, evictedFamilyId... } or { 'no_user' } / { 'disabled' }
local user = redis.call('HMGET', KEYS[1], 'email', 'sv', 'dis')
if not user[1] then
  return { 'no_user' }
end
if user[3] == '1' then
  return { 'disabled' }
end
local now = tonumber(ARGV[3])
local idle = tonumber(ARGV[4])
local maxSessions = tonumber(ARGV[7])
local sv = tonumber(user[2] or '0')
local ax = now + tonumber(ARGV[5])

local live = {}
each_family(KEYS[1], redis.call('HGETALL', KEYS[1]), now, idle, function (id, f)
  if f.sv < sv then
    redis.call('HDEL', KEYS[1], family_field(id)) -- from before a logout-all: can never be used again
  elseif not f.rv then
    table.insert(live, { id = id, f = f })
  end
end)

local evicted = {}
if maxSessions > 0 and #live >= maxSessions then
  table.sort(live, function (a, b) return a.f.lu < b.f.lu end) -- least recently used first
  for i = 1, #live + 1 - maxSessions do
    tombstone(KEYS[1], live[i].id, live[i].f, 'evicted')
    table.insert(evicted, live[i].id)
  end
end

redis.call('HSET', KEYS[1], family_field(ARGV[1]), encode_family({
  g = 1, h = ARGV[2], lu = now, rt = now, ax = ax, c = now, sv = sv, gc = 0, rv = false, meta = ARGV[6]
}))
local reply = { 'ok', sv, ax }
for _, id in ipairs(evicted) do table.insert(reply, id) end
return reply
