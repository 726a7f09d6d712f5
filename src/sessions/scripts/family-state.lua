-- Shared by the session scripts (prepended to each when it is loaded; not a script of its own).
--
-- A user's refresh-token families are fields of the user's hash: field 'f:<familyId>', value a packed record, so a
-- session costs one hash field rather than a key, an expiry entry and an index entry (docs/design.md, "Data model").
-- Record: struct '>I4c16I6I6I6I6I4B' (49 bytes) = generation, SHA-256/128 of the current secret (raw bytes),
-- last use, last rotation, absolute expiry, creation (ms since the epoch), session version at creation, grace replays
-- used; then 'L' .. metadata (client ip and user agent summary) for a live family, or 'R' .. reason once revoked, or
-- 'P' .. one byte pd .. metadata for a live family whose current generation has pd hand-outs not known to have failed
-- (mark-undelivered.lua; 'L' is pd 0, so records written before pd existed read unchanged).
-- A live record may carry 'N' .. 16 bytes between the fixed part and that mark: the look-ahead n, SHA-256/128 of the
-- secret the next generation will have (derived from the current one, refresh-token.ts). A presented next generation
-- whose hash is n is a rotation this store lost (a failover), not a forgery (rotate-refresh-token.lua). Records
-- written before the look-ahead existed have none and read unchanged (n false); a tombstone never has one.
-- The user hash is durable, so a family's idle and absolute expiry are enforced here and dead fields are pruned by
-- every login, logout-all and session listing (and a family itself when it is presented after its expiry), a bounded
-- number of fields each time (read_fields below), so no operation's cost grows with the size of one account.
local FAMILY_RECORD = '>I4c16I6I6I6I6I4B'
local FAMILY_RECORD_LENGTH = 49
local LOOKAHEAD_LENGTH = 16
local NO_HASH = string.rep('\0', 16)

local function family_field (familyId)
  return 'f:' .. familyId
end

local function decode_family (value)
  if not value then return nil end
  local f = {}
  f.g, f.h, f.lu, f.rt, f.ax, f.c, f.sv, f.gc = struct.unpack(FAMILY_RECORD, value)
  local at = FAMILY_RECORD_LENGTH + 1
  f.n = false
  if string.sub(value, at, at) == 'N' then
    f.n = string.sub(value, at + 1, at + LOOKAHEAD_LENGTH); at = at + 1 + LOOKAHEAD_LENGTH
  end
  local mark = string.sub(value, at, at)
  local tail = string.sub(value, at + 1)
  f.pd = 0
  if mark == 'R' then f.rv = tail; f.meta = ''
  elseif mark == 'P' then f.rv = false; f.pd = string.byte(tail, 1); f.meta = string.sub(tail, 2)
  else f.rv = false; f.meta = tail end
  return f
end

local function encode_family (f)
  local record = struct.pack(FAMILY_RECORD, f.g, f.h, f.lu, f.rt, f.ax, f.c, f.sv, f.gc)
  if f.rv then return record .. 'R' .. f.rv end
  if f.n then record = record .. 'N' .. f.n end
  if f.pd and f.pd > 0 then return record .. 'P' .. string.char(math.min(f.pd, 255)) .. f.meta end
  return record .. 'L' .. f.meta
end

-- When the family dies of age: idle TTL after its last use, capped by its absolute lifetime.
local function family_expiry (f, idle)
  return math.min(f.ax, f.lu + idle)
end

-- The strict check of the session behind an access token (check-session.lua; logout-all's own step): 'ok', or the
-- reason it is dead: 'no_user', 'disabled', 'version', 'missing', 'revoked'; with 'ok' and 'version', the user's
-- session version as a second value. `override` is store_now's, read only when the family's expiry is decided.
local function session_state (userKey, tokenVersion, familyId, override, idle)
  local user = redis.call('HMGET', userKey, 'sv', 'dis', family_field(familyId))
  if not user[1] then return 'no_user' end
  if user[2] == '1' then return 'disabled' end
  local sv = tonumber(user[1])
  if tokenVersion < sv then return 'version', sv end
  local f = decode_family(user[3])
  if not f or store_now(override) >= family_expiry(f, idle) then return 'missing' end
  if f.rv then return 'revoked' end
  return 'ok', sv
end

-- Revoke in place: keep a small marker until the family would have expired, so a replay is answered as revoked.
local function tombstone (userKey, familyId, f, reason)
  f.rv = reason; f.h = NO_HASH; f.n = false; f.meta = ''
  redis.call('HSET', userKey, family_field(familyId), encode_family(f))
end

-- The user record's own fields; every other field is a family.
local USER_FIELDS = { 'email', 'ph', 'c', 'sv', 'roles', 'dis' }
-- Work bounds (docs/design.md, "Bounded work per account"): a hash of at most EXACT_FIELDS fields (every account
-- within the default MAX_SESSIONS_PER_USER) is read whole: exact pruning, exact LRU. A bigger one (over its limit,
-- or unlimited) is read through SAMPLE_FIELDS random fields: approximate LRU, as Redis's own eviction samples keys.
-- HRANDFIELD with a count is O(count) on a big hash; each field read costs about as much as a small HGETALL.
local EXACT_FIELDS = 128
local SAMPLE_FIELDS = 3

-- The user's own fields (HMGET, in USER_FIELDS order) and how many of them exist.
local function read_user (userKey)
  local user = redis.call('HMGET', userKey, unpack(USER_FIELDS))
  local present = 0
  for i = 1, #USER_FIELDS do if user[i] then present = present + 1 end end
  return user, present
end

-- At most max(exactMax, SAMPLE_FIELDS) fields of a user hash (name, value, ...), whether that is all of them, and
-- how many fields the hash holds.
local function read_fields (userKey, exactMax)
  local length = redis.call('HLEN', userKey)
  if length <= exactMax then return redis.call('HGETALL', userKey), true, length end
  return redis.call('HRANDFIELD', userKey, SAMPLE_FIELDS, 'WITHVALUES'), false, length
end

-- Visit the live families among fields (as returned by read_fields); the names of those past their expiry are
-- appended to doomed, for delete_fields.
local function each_family (fields, now, idle, doomed, visit)
  for i = 1, #fields, 2 do
    local name = fields[i]
    if string.sub(name, 1, 2) == 'f:' then
      local f = decode_family(fields[i + 1])
      if now >= family_expiry(f, idle) then
        table.insert(doomed, name)
      else
        visit(string.sub(name, 3), f)
      end
    end
  end
end

-- Delete the fields named in doomed with one HDEL: each write a script makes is one more command to run and to
-- replicate, so a login that prunes and evicts costs one command, not one per field. Returns how many were named.
local function delete_fields (userKey, doomed)
  if #doomed > 0 then redis.call('HDEL', userKey, unpack(doomed)) end
  return #doomed
end
