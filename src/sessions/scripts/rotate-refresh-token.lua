-- Rotate a refresh token: consume generation N and mint N+1, replay N+1 for a retried N inside the grace window,
-- or detect reuse and revoke the family (RFC 9700 §4.14.2, OWASP ASVS 3.3 / 7.2).
-- KEYS[1] = family hash   KEYS[2] = user hash   KEYS[3] = user's family index (zset)
-- ARGV[1] = presented generation   ARGV[2] = hash of the presented secret
-- ARGV[3] = hash of the candidate successor's secret   ARGV[4] = candidate successor's nonce
-- ARGV[5] = now (ms)   ARGV[6] = idle TTL (ms)   ARGV[7] = grace window (ms)   ARGV[8] = max grace replays
-- ARGV[9] = family id
-- Returns: { status, generation, nonce, sessionVersion, absoluteExpiryMs }
--   status 'rotated' (generation/nonce are the new ones), 'grace' (the existing successor's), or one of
--   'missing', 'revoked', 'expired', 'version', 'reuse', 'rollback', 'mismatch' (no token is handed out).
local f = redis.call('HMGET', KEYS[1], 'g', 'h', 'ph', 'n', 'rt', 'gc', 'sv', 'lu', 'ax', 'rv')
local g, h, ph, n, rt, gc, fsv, lu, ax, rv = f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10]
if not g then
  return { 'missing' }
end
if rv then
  return { 'revoked' }
end

local presented = tonumber(ARGV[1])
local now = tonumber(ARGV[5])
local idle = tonumber(ARGV[6])
g = tonumber(g); ax = tonumber(ax); fsv = tonumber(fsv)

local function tombstone(reason)
  -- Keep a small marker until the key's TTL runs out, so a later replay is answered as revoked.
  redis.call('HSET', KEYS[1], 'rv', reason)
  redis.call('HDEL', KEYS[1], 'h', 'ph', 'n')
  redis.call('ZREM', KEYS[3], ARGV[9])
end

if now >= ax or now - tonumber(lu) >= idle then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[3], ARGV[9])
  return { 'expired' }
end
local usv = redis.call('HGET', KEYS[2], 'sv')
if not usv or fsv < tonumber(usv) then
  tombstone('version')
  return { 'version' }
end

local function touch()
  redis.call('HSET', KEYS[1], 'lu', now)
  redis.call('PEXPIRE', KEYS[1], math.min(idle, ax - now))
  redis.call('ZADD', KEYS[3], 'XX', now, ARGV[9])
end

if presented == g then
  if ARGV[2] ~= h then return { 'mismatch' } end
  redis.call('HSET', KEYS[1], 'g', g + 1, 'ph', h, 'h', ARGV[3], 'n', ARGV[4], 'rt', now, 'gc', 0)
  touch()
  return { 'rotated', g + 1, ARGV[4], fsv, ax }
end
if presented == g - 1 then
  if ARGV[2] ~= ph then return { 'mismatch' } end
  if now - tonumber(rt) < tonumber(ARGV[7]) and tonumber(gc) < tonumber(ARGV[8]) then
    redis.call('HINCRBY', KEYS[1], 'gc', 1)
    touch()
    return { 'grace', g, n, fsv, ax }
  end
  tombstone('reuse')
  return { 'reuse' }
end
if presented < g then
  tombstone('reuse')
  return { 'reuse' }
end
-- A generation ahead of the stored one: a rotation was lost (e.g. a failover rolled Redis back).
tombstone('rollback')
return { 'rollback' }
