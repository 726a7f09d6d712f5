-- Append a revocation to the bounded log and broadcast it to every instance, atomically, so the order of the
-- broadcast matches the order of the log and a subscriber that missed a message can replay from the last id it saw.
-- The log is trimmed by age on Redis's own clock (entries older than the longest access-token lifetime are useless).
-- KEYS[1] = revocation log (stream)
-- ARGV[1] = channel   ARGV[2] = event (JSON)   ARGV[3] = retention (ms)
-- Returns: the entry id
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local retention = tonumber(ARGV[3])
local id = redis.call('XADD', KEYS[1], 'MINID', '~', tostring(nowMs - retention), '*', 'e', ARGV[2])
redis.call('PEXPIRE', KEYS[1], retention)
redis.call('PUBLISH', ARGV[1], id .. ' ' .. ARGV[2])
return id
