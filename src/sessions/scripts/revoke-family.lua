-- Revoke one refresh-token family (logout, session delete, admin). Idempotent.
-- KEYS[1] = user hash
-- ARGV[1] = family id   ARGV[2] = reason   ARGV[3] = now override (ms; tests only, '' = Redis TIME)   ARGV[4] = idle TTL (ms)
-- Returns: 1 when a live family was revoked, 0 when it was already gone, expired or revoked.
-- A revocation already made (a retry after a 503 whose WAIT fell short, or after a lost answer) writes its tombstone
-- back unchanged: a write, so the WAIT that follows this call covers the revocation, whichever connection made it
-- (WAIT is documented to cover the writes of its own connection only).
local field = family_field(ARGV[1])
local value = redis.call('HGET', KEYS[1], field)
local f = decode_family(value)
if not f then
  return 0
end
if f.rv then
  redis.call('HSET', KEYS[1], field, value)
  return 0
end
if store_now(ARGV[3]) >= family_expiry(f, tonumber(ARGV[4])) then
  redis.call('HDEL', KEYS[1], field)
  return 0
end
tombstone(KEYS[1], ARGV[1], f, ARGV[2])
return 1
