-- Logout-all: bump the user's session version, so every family created before it is dead at once (O(1): rotation,
-- the strict check and the listing compare each family's version with the user's). Then, on a bounded number of
-- fields (read_fields): a small hash has its live families marked revoked and its dead ones deleted; a big one has
-- a random sample deleted, the rest is left to incremental pruning (logins, listings, presentations).
-- With a caller (POST /auth/logout-all), the strict check of the caller's access token is part of the same step:
-- - a token older than the user's version asks again for a logout-all that already stands (its first answer was a
--   503 because WAIT fell short, or it was lost): nothing is bumped, so no session begun since then ends, and the
--   version is written back unchanged so that this call's WAIT covers the earlier bump (replicas apply in order);
-- - otherwise the caller's own session must be live, the same check as every strict route's (session_state).
-- KEYS[1] = user hash
-- ARGV[1] = reason   ARGV[2] = now override (ms; tests only, '' = Redis TIME)   ARGV[3] = idle TTL (ms)
-- ARGV[4] = the caller's token session version ('' = no caller: admin, CLI, password change)
-- ARGV[5] = the caller's family id (with ARGV[4])
-- Returns: { 'ok', newSessionVersion }, { 'already', sessionVersion }, { 'dead', why } (session_state's reasons)
--   or { 'no_user' }
if redis.call('HEXISTS', KEYS[1], 'email') == 0 then
  return { 'no_user' }
end
local idle = tonumber(ARGV[3])
if ARGV[4] ~= '' then
  local state, current = session_state(KEYS[1], tonumber(ARGV[4]), ARGV[5], ARGV[2], idle)
  if state == 'version' then
    redis.call('HSET', KEYS[1], 'sv', current)
    return { 'already', current }
  end
  if state ~= 'ok' then return { 'dead', state } end
end
local now = store_now(ARGV[2])
local sv = redis.call('HINCRBY', KEYS[1], 'sv', 1)
local fields, exact = read_fields(KEYS[1], EXACT_FIELDS)
local doomed = {} -- fields to delete, in one HDEL
each_family(fields, now, idle, doomed, function (id, f)
  if not exact then
    table.insert(doomed, family_field(id))
  elseif not f.rv then
    tombstone(KEYS[1], id, f, ARGV[1])
  end
end)
delete_fields(KEYS[1], doomed)
return { 'ok', sv }
