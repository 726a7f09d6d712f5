-- Logout-all: bump the user's session version, so every family created before it is dead, and mark each live family
-- revoked (dead ones are pruned), all in one step on the user's hash.
-- KEYS[1] = user hash
-- ARGV[1] = reason   ARGV[2] = now (ms)   ARGV[3] = idle TTL (ms)
-- Returns: { 'ok', newSessionVersion } or { 'no_user' }
if redis.call('HEXISTS', KEYS[1], 'email') == 0 then
  return { 'no_user' }
end
local sv = redis.call('HINCRBY', KEYS[1], 'sv', 1)
each_family(KEYS[1], redis.call('HGETALL', KEYS[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), function (id, f)
  if not f.rv then tombstone(KEYS[1], id, f, ARGV[1]) end
end)
return { 'ok', sv }
