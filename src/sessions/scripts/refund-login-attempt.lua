-- Take back one attempt counted by begin-login-attempt.lua that never reached the password check (the hasher was
-- saturated), so a legitimate user is not pushed towards a lock by an overload. A lock already set stays: it is bounded.
-- KEYS[1] = login-failures hash of the account
-- ARGV: none
-- Returns: the count after the refund (0 when the key is gone: it is never recreated without a TTL)
local count = tonumber(redis.call('HGET', KEYS[1], 'n'))
if not count or count <= 0 then
  return 0
end
return redis.call('HINCRBY', KEYS[1], 'n', -1)
