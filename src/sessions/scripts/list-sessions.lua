-- List a user's live sessions (and prune dead families on the way), reading at most ARGV[3] fields: the whole hash
-- when it is that small (always, for an account within MAX_SESSIONS_PER_USER), else a random sample of that many,
-- and listing at most ARGV[4] sessions.
-- KEYS[1] = user hash
-- ARGV[1] = now override (ms; tests only, '' = Redis TIME)   ARGV[2] = idle TTL (ms)   ARGV[3] = most fields read
-- ARGV[4] = most sessions listed
-- Returns: flat { familyId, createdAtMs, lastUsedAtMs, expiresAtMs, metadata, ... }, in no particular order
local sv = tonumber(redis.call('HGET', KEYS[1], 'sv') or '0')
local idle = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local most = tonumber(ARGV[4])
local fields
if redis.call('HLEN', KEYS[1]) <= limit then
  fields = redis.call('HGETALL', KEYS[1])
else
  fields = redis.call('HRANDFIELD', KEYS[1], limit, 'WITHVALUES')
end
local reply = {}
local doomed = {} -- fields to delete, in one HDEL
each_family(fields, store_now(ARGV[1]), idle, doomed, function (id, f)
  if f.sv < sv then
    table.insert(doomed, family_field(id)) -- from before a logout-all
  elseif not f.rv and #reply < most * 5 then -- 5 columns per session
    for _, v in ipairs({ id, f.c, f.lu, family_expiry(f, idle), f.meta }) do table.insert(reply, v) end
  end
end)
delete_fields(KEYS[1], doomed)
return reply
