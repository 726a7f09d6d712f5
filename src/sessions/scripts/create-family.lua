-- Create a refresh-token family (login): generation 1, bound to the user's current session version. In the same
-- atomic step, on a bounded number of fields (read_fields): prune dead families and, when the user has
-- MAX_SESSIONS_PER_USER families, delete the least recently used (tombstones first, then live families by last use;
-- exact on a small hash, among a random sample on a big one, at most MAX_EVICTED_SAMPLED per login there).
-- KEYS[1] = user hash   KEYS[2] = the account's failed-login count (login-failures, same slot): deleted with the new
--   family, since a session is only started once the password was right (one round trip, not two)
-- ARGV[1] = family id   ARGV[2] = hash of generation 1's secret (16 raw bytes)   ARGV[3] = now override (ms; tests
-- only, '' = Redis TIME)   ARGV[4] = idle TTL (ms)   ARGV[5] = absolute TTL (ms)   ARGV[6] = metadata (ip and user
-- agent summary)   ARGV[7] = max sessions (0 = unlimited)   ARGV[8] = hash of generation 2's secret (16 raw bytes, derived
-- from generation 1's: the look-ahead that lets a lost first rotation be recognised, family-state.lua)
-- Returns: { 'ok', sessionVersion, absoluteExpiryMs, nowMs, evictedFamilyId... } or { 'no_user' } / { 'disabled' }
--   (evicted: live families deleted to make room, for the caller to broadcast)
local MAX_EVICTED_SAMPLED = 2 -- the older two of a sample of 3: an account over the limit shrinks by one per login
local user, userFields = read_user(KEYS[1])
if not user[1] then
  return { 'no_user' }
end
if user[6] == '1' then
  return { 'disabled' }
end
local now = store_now(ARGV[3])
local idle = tonumber(ARGV[4])
local maxSessions = tonumber(ARGV[7])
local sv = tonumber(user[4] or '0')
local ax = now + tonumber(ARGV[5])

local fields, exact, length = read_fields(KEYS[1], EXACT_FIELDS)
local doomed = {} -- fields to delete, in one HDEL
local candidates = {}
each_family(fields, now, idle, doomed, function (id, f)
  if f.sv < sv then
    table.insert(doomed, family_field(id)) -- from before a logout-all: can never be used again
  else
    -- A tombstone only answers a late replay as "revoked": it makes room before any live session does.
    table.insert(candidates, { id = id, live = not f.rv, lu = f.rv and -1 or f.lu })
  end
end)
local families = length - userFields - #doomed

local evicted = {}
if maxSessions > 0 and families >= maxSessions then
  table.sort(candidates, function (a, b) return a.lu < b.lu end) -- least recently used first
  local count = math.min(families + 1 - maxSessions, #candidates)
  if not exact then count = math.min(count, MAX_EVICTED_SAMPLED) end
  for i = 1, count do
    table.insert(doomed, family_field(candidates[i].id))
    if candidates[i].live then table.insert(evicted, candidates[i].id) end
  end
end
delete_fields(KEYS[1], doomed)

redis.call('HSET', KEYS[1], family_field(ARGV[1]), encode_family({
  g = 1, h = ARGV[2], n = #ARGV[8] == 16 and ARGV[8], lu = now, rt = now, ax = ax, c = now, sv = sv, gc = 0, rv = false,
  meta = ARGV[6]
}))
redis.call('DEL', KEYS[2])
local reply = { 'ok', sv, ax, now }
for _, id in ipairs(evicted) do table.insert(reply, id) end
return reply
