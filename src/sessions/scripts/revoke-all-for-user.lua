-- Logout-all: bump the user's session version, so every family created before it is dead at once (O(1): rotation,
-- the strict check and the listing compare each family's version with the user's). Then, on a bounded number of
-- fields (read_fields): a small hash has its live families marked revoked and its dead ones deleted; a big one has
-- a random sample deleted, the rest is left to incremental pruning (logins, listings, presentations).
-- KEYS[1] = user hash
-- ARGV[1] = reason   ARGV[2] = now override (ms; tests only, '' = Redis TIME)   ARGV[3] = idle TTL (ms)
-- Returns: { 'ok', newSessionVersion } or { 'no_user' }
if redis.call('HEXISTS', KEYS[1], 'email') == 0 then
  return { 'no_user' }
end
local sv = redis.call('HINCRBY', KEYS[1], 'sv', 1)
local fields, exact = read_fields(KEYS[1], EXACT_FIELDS)
local doomed = {} -- fields to delete, in one HDEL
each_family(fields, store_now(ARGV[2]), tonumber(ARGV[3]), doomed, function (id, f)
  if not exact then
    table.insert(doomed, family_field(id))
  elseif not f.rv then
    tombstone(KEYS[1], id, f, ARGV[1])
  end
end)
delete_fields(KEYS[1], doomed)
return { 'ok', sv }
