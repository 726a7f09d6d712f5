-- Record that a hand-out of a family's current generation was never delivered: its rotation or grace replay ran, but
-- too few replicas acknowledged it (durable mode), so the client was answered 503 and got no token. Each hand-out
-- counted one in pd (rotate-refresh-token.lua); this takes one back. Once every hand-out of the generation is known to
-- have failed (pd 0), nobody holds the successor, so its grace window restarts now, with its replay count: the
-- client that retries the predecessor as Retry-After says is always inside the window, never judged a reuser
-- (docs/design.md, "A hand-out answered 503 is not a delivery"). A delivered hand-out is never taken back, so from
-- then on the window runs out as usual. Nothing changes for a family that moved on, was revoked or expired.
-- KEYS[1] = user hash
-- ARGV[1] = family id   ARGV[2] = generation handed out   ARGV[3] = hash of its secret (16 raw bytes)
-- ARGV[4] = now override (ms; tests only, '' = Redis TIME)   ARGV[5] = idle TTL (ms)
-- Returns: 'restarted' (no hand-out delivered: the window starts again), 'counted' (another hand-out may have been
--   delivered), or 'moved' (the family is no longer at that generation, is revoked, gone or expired: untouched).
local field = family_field(ARGV[1])
local f = decode_family(redis.call('HGET', KEYS[1], field))
if not f or f.rv or f.g ~= tonumber(ARGV[2]) or f.h ~= ARGV[3] then
  return 'moved'
end
local now = store_now(ARGV[4])
if now >= family_expiry(f, tonumber(ARGV[5])) then
  return 'moved'
end
local status = 'counted'
if f.pd > 0 then f.pd = f.pd - 1 end
if f.pd == 0 then
  f.rt = now; f.gc = 0
  status = 'restarted'
end
redis.call('HSET', KEYS[1], field, encode_family(f))
return status
