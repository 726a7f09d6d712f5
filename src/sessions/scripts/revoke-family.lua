-- Revoke one refresh-token family (logout, session delete, admin). Idempotent.
-- KEYS[1] = user hash
-- ARGV[1] = family id   ARGV[2] = reason   ARGV[3] = now override (ms; tests only, '' = Redis TIME)   ARGV[4] = idle TTL (ms)
-- Returns: 1 when a live family was revoked, 0 when it was already gone, expired or revoked.
local field = family_field(ARGV[1])
local f = decode_family(redis.call('HGET', KEYS[1], field))
if not f or f.rv then
  return 0
end
if store_now(ARGV[3]) >= family_expiry(f, tonumber(ARGV[4])) then
  redis.call('HDEL', KEYS[1], field)
  return 0
end
tombstone(KEYS[1], ARGV[1], f, ARGV[2])
return 1
