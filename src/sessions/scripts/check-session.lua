-- Strict session check for high-risk routes: is the session behind an access token still live right now?
-- KEYS[1] = user hash
-- ARGV[1] = the token's session version   ARGV[2] = family id
-- ARGV[3] = now override (ms; tests only, '' = Redis TIME)   ARGV[4] = idle TTL (ms)
-- Returns: 'ok', or the reason it is dead: 'no_user', 'disabled', 'version', 'missing', 'revoked'
local user = redis.call('HMGET', KEYS[1], 'sv', 'dis', family_field(ARGV[2]))
if not user[1] then return 'no_user' end
if user[2] == '1' then return 'disabled' end
if tonumber(ARGV[1]) < tonumber(user[1]) then return 'version' end
local f = decode_family(user[3])
if not f or store_now(ARGV[3]) >= family_expiry(f, tonumber(ARGV[4])) then return 'missing' end
if f.rv then return 'revoked' end
return 'ok'
