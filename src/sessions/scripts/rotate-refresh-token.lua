-- Rotate a refresh token: consume generation N and mint N+1, replay N+1 for a retried N inside the grace window,
-- or detect reuse and revoke the family (RFC 9700 §4.14.2, OWASP ASVS 3.3 / 7.2).
-- Token N+1's secret is derived from token N's (HMAC under a server key), so the caller sends the hashes of both: the
-- presented secret must match the stored hash for N, and its derived successor must match it for a retried N-1.
-- KEYS[1] = user hash
-- ARGV[1] = family id   ARGV[2] = presented generation   ARGV[3] = hash of the presented secret (16 raw bytes)
-- ARGV[4] = hash of its derived successor's secret   ARGV[5] = now override (ms; tests only, '' = Redis TIME)
-- ARGV[6] = idle TTL (ms)
-- ARGV[7] = grace window (ms)   ARGV[8] = max grace replays
-- ARGV[9] = hash of the derived successor's own successor (16 raw bytes): the new generation's look-ahead
-- Returns: { status, generation, sessionVersion, absoluteExpiryMs, roles, nowMs }
--   status 'rotated' (the new generation), 'grace' (the current one, already handed out), 'recovered' (the new
--   generation after a lost one, below), or one of 'missing', 'revoked', 'expired', 'version', 'reuse', 'rollback',
--   'mismatch' (no token is handed out).
--   roles are the user's, for the new access token: read here to save the caller a round trip (access tokens carry
--   no email, so none is read or returned).
--   The grace window is measured on Redis's clock from when the rotation ran (store-clock.lua), so the retry of a
--   call that timed out but was applied late is still inside it. Each hand-out ('rotated', 'grace') counts one in
--   pd, which mark-undelivered.lua takes back when the hand-out was answered 503 instead (durable mode).
local field = family_field(ARGV[1])
local row = redis.call('HMGET', KEYS[1], field, 'sv', 'roles')
local f = decode_family(row[1])
if not f then
  return { 'missing' }
end
if f.rv then
  return { 'revoked' }
end
local presented = tonumber(ARGV[2])
local now = store_now(ARGV[5])
if now >= family_expiry(f, tonumber(ARGV[6])) then
  redis.call('HDEL', KEYS[1], field)
  return { 'expired' }
end
if not row[2] or f.sv < tonumber(row[2]) then
  tombstone(KEYS[1], ARGV[1], f, 'version')
  return { 'version' }
end

-- Move the family to the generation after the presented one: its hash and look-ahead come from the caller, who
-- derived them from the presented secret, and it is handed out once (pd).
local function advance (status)
  f.g = presented + 1; f.h = ARGV[4]; f.n = #ARGV[9] == 16 and ARGV[9]; f.rt = now; f.gc = 0; f.lu = now; f.pd = 1
  redis.call('HSET', KEYS[1], field, encode_family(f))
  return { status, f.g, f.sv, f.ax, row[3] or '', now }
end

if presented == f.g then
  if ARGV[3] ~= f.h then return { 'mismatch' } end
  return advance('rotated')
end
if presented == f.g - 1 then
  if ARGV[4] ~= f.h then return { 'mismatch' } end
  if now - f.rt < tonumber(ARGV[7]) and f.gc < tonumber(ARGV[8]) then
    f.gc = f.gc + 1; f.lu = now; f.pd = f.pd + 1
    redis.call('HSET', KEYS[1], field, encode_family(f))
    return { 'grace', f.g, f.sv, f.ax, row[3] or '', now }
  end
  tombstone(KEYS[1], ARGV[1], f, 'reuse')
  return { 'reuse' }
end
if presented < f.g then
  tombstone(KEYS[1], ARGV[1], f, 'reuse')
  return { 'reuse' }
end
-- The next generation, holding the very secret this store derived for it (the look-ahead): the rotation that handed
-- it out ran on a primary whose write never reached this node (asynchronous replication, then a failover). Only the
-- holder of the current token and the server key can have that secret, so it is the client's own: accepted as if
-- the store were at that generation, and its predecessor's grace window starts now (docs/design.md, "Residual risk").
if presented == f.g + 1 and f.n and ARGV[3] == f.n then
  return advance('recovered')
end
-- Further ahead, or a secret that is not the derived one (a forgery, or a record without a look-ahead).
tombstone(KEYS[1], ARGV[1], f, 'rollback')
return { 'rollback' }
