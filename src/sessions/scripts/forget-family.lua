-- Delete a family whose creation (login) was never delivered: it ran, but too few replicas acknowledged it (durable
-- mode), so the client was answered 503 and got no token, and nobody ever can (generation 1's secret was random and
-- only the answering instance had it). Deleting it at once keeps it from taking a place under MAX_SESSIONS_PER_USER
-- until it expires idle. Only generation 1 with that secret is deleted: a family in use is never touched.
-- KEYS[1] = user hash
-- ARGV[1] = family id   ARGV[2] = hash of generation 1's secret (16 raw bytes)
-- Returns: 1 when deleted, 0 when there was nothing to delete.
local field = family_field(ARGV[1])
local f = decode_family(redis.call('HGET', KEYS[1], field))
if not f or f.rv or f.g ~= 1 or f.h ~= ARGV[2] then
  return 0
end
return redis.call('HDEL', KEYS[1], field)
