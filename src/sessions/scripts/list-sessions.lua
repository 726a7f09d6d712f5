-- List a user's live sessions (and prune dead families on the way).
-- KEYS[1] = user hash
-- ARGV[1] = now (ms)   ARGV[2] = idle TTL (ms)
-- Returns: flat { familyId, createdAtMs, lastUsedAtMs, expiresAtMs, metadata, ... }, in no particular order
local sv = tonumber(redis.call('HGET', KEYS[1], 'sv') or '0')
local idle = tonumber(ARGV[2])
local reply = {}
each_family(KEYS[1], redis.call('HGETALL', KEYS[1]), tonumber(ARGV[1]), idle, function (id, f)
  if not f.rv and f.sv >= sv then
    for _, v in ipairs({ id, f.c, f.lu, family_expiry(f, idle), f.meta }) do table.insert(reply, v) end
  end
end)
return reply
