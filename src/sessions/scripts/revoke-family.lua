-- Revoke one refresh-token family (logout, session delete). Idempotent.
-- KEYS[1] = family hash   KEYS[2] = user's family index (zset)
-- ARGV[1] = family id   ARGV[2] = reason
-- Returns: 1 when a live family was revoked, 0 when it was already gone or revoked.
local state = redis.call('HMGET', KEYS[1], 'g', 'rv')
redis.call('ZREM', KEYS[2], ARGV[1])
if not state[1] or state[2] then
  return 0
end
redis.call('HSET', KEYS[1], 'rv', ARGV[2])
redis.call('HDEL', KEYS[1], 'h', 'ph', 'n')
return 1
