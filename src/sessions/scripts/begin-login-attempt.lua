-- Count a login attempt against one account (a canonical email, known or not) and refuse it while the account is
-- locked. Runs before the password is verified, so a locked account costs no argon2. Every allowed attempt counts up
-- front (a successful login deletes the key), so parallel guesses cannot overshoot the threshold.
-- From the threshold on, each counted attempt locks the account for base * 2^(count - threshold), capped: the
-- attempt itself proceeds, the next one waits. Failures are forgotten after a window without attempts or locks.
-- KEYS[1] = login-failures hash of the account (n = count, lu = locked until ms, la = last attempt ms)
-- ARGV[1] = now override (ms; tests only, '' = Redis TIME: every instance counts on the same clock)   ARGV[2] = threshold (attempts before a lock)   ARGV[3] = forget window (ms)
-- ARGV[4] = first lock (ms)   ARGV[5] = longest lock (ms)
-- Returns: { 1, 0 } allowed, or { 0, ms until the lock ends } refused (nothing counted)
local now = store_now(ARGV[1])
local threshold = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local base = tonumber(ARGV[4])
local cap = tonumber(ARGV[5])

local state = redis.call('HMGET', KEYS[1], 'n', 'lu', 'la')
local count = tonumber(state[1]) or 0
local lockedUntil = tonumber(state[2]) or 0
local lastAttempt = tonumber(state[3]) or 0

if lockedUntil > now then
  return { 0, lockedUntil - now }
end
if now - math.max(lastAttempt, lockedUntil) >= window then
  count = 0
end
count = count + 1
if count >= threshold then
  -- The exponent is bounded before the power so the number stays exact; the cap bounds every lock.
  lockedUntil = now + math.min(base * 2 ^ math.min(count - threshold, 40), cap)
end
redis.call('HSET', KEYS[1], 'n', count, 'lu', lockedUntil, 'la', now)
-- Lives exactly as long as it matters: to the end of the lock, then one forget window.
redis.call('PEXPIRE', KEYS[1], math.max(lockedUntil - now, 0) + window)
return { 1, 0 }
