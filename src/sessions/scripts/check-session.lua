-- Strict session check for high-risk routes: is the session behind an access token still live right now?
-- KEYS[1] = user hash
-- ARGV[1] = the token's session version   ARGV[2] = family id
-- ARGV[3] = now override (ms; tests only, '' = Redis TIME)   ARGV[4] = idle TTL (ms)
-- Returns: 'ok', or the reason it is dead: 'no_user', 'disabled', 'version', 'missing', 'revoked'
return (session_state(KEYS[1], tonumber(ARGV[1]), ARGV[2], ARGV[3], tonumber(ARGV[4])))
