-- Logout-all: bump the user's session version, so every family created before it is dead, and revoke the
-- families the caller listed (read just before; any created in between carries the old version and is dead too).
-- KEYS[1] = user hash   KEYS[2] = user's family index (zset)   KEYS[3..] = family hashes
-- ARGV[1] = reason   ARGV[2..] = family ids, in the order of KEYS[3..]
-- Returns: { 'ok', newSessionVersion } or { 'no_user' }
if redis.call('EXISTS', KEYS[1]) == 0 then
  return { 'no_user' }
end
local sv = redis.call('HINCRBY', KEYS[1], 'sv', 1)
for i = 3, #KEYS do
  if redis.call('HEXISTS', KEYS[i], 'g') == 1 then
    redis.call('HSET', KEYS[i], 'rv', ARGV[1])
    redis.call('HDEL', KEYS[i], 'h', 'ph', 'n')
  end
  redis.call('ZREM', KEYS[2], ARGV[i - 1])
end
return { 'ok', sv }
