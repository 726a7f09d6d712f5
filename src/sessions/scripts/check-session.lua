-- Strict session check for high-risk routes: is the session behind an access token still live right now?
-- KEYS[1] = user hash   KEYS[2] = family hash
-- ARGV[1] = the token's session version
-- Returns: 'ok', or the reason it is dead: 'no_user', 'disabled', 'version', 'missing', 'revoked'
local user = redis.call('HMGET', KEYS[1], 'sv', 'dis')
if not user[1] then return 'no_user' end
if user[2] == '1' then return 'disabled' end
if tonumber(ARGV[1]) < tonumber(user[1]) then return 'version' end
local family = redis.call('HMGET', KEYS[2], 'g', 'rv')
if not family[1] then return 'missing' end
if family[2] then return 'revoked' end
return 'ok'
