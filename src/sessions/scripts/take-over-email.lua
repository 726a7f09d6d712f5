-- Take over an email index entry left without its user: a failover lost the user record of a registration whose
-- entry survived (they live in different slots, so on different nodes). The caller has seen that the entry has no
-- TTL (a registration still in flight has one) and that the user it names does not exist; this compare-and-set makes
-- sure the entry still names that user, so two registrations racing for the orphan cannot both win.
-- KEYS[1] = email index entry
-- ARGV[1] = the user id the orphan names   ARGV[2] = the new user id   ARGV[3] = claim TTL (ms), as a first claim's
-- Returns: 1 when claimed for the new user, 0 when the entry changed meanwhile
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
