-- Create a refresh-token family (login): generation 1, bound to the user's current session version.
-- Atomic, so a family can never be created with a version that a concurrent logout-all already retired.
-- KEYS[1] = user hash   KEYS[2] = user's family index (zset)   KEYS[3] = family hash
-- ARGV[1] = family id   ARGV[2] = hash of generation 1's secret   ARGV[3] = now (ms)
-- ARGV[4] = idle TTL (ms)   ARGV[5] = absolute TTL (ms)   ARGV[6] = user agent   ARGV[7] = client ip
-- Returns: { 'ok', sessionVersion, absoluteExpiryMs } or { 'no_user' }
if redis.call('EXISTS', KEYS[1]) == 0 then
  return { 'no_user' }
end
local now = tonumber(ARGV[3])
local idle = tonumber(ARGV[4])
local absolute = tonumber(ARGV[5])
local sv = tonumber(redis.call('HGET', KEYS[1], 'sv') or '0')
local ax = now + absolute

redis.call('HSET', KEYS[3], 'g', 1, 'h', ARGV[2], 'rt', now, 'gc', 0, 'sv', sv,
  'c', now, 'lu', now, 'ax', ax, 'ua', ARGV[6], 'ip', ARGV[7])
redis.call('PEXPIRE', KEYS[3], math.min(idle, absolute))

-- Index by last use; members idle for longer than the idle TTL are dead, so prune them here.
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. (now - idle))
redis.call('ZADD', KEYS[2], now, ARGV[1])
if redis.call('PTTL', KEYS[2]) < absolute then
  redis.call('PEXPIRE', KEYS[2], absolute)
end
return { 'ok', sv, ax }
