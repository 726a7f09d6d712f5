-- Shared by every script that decides a time window (prepended when it is loaded; not a script of its own).
--
-- Windows (grace, idle and absolute expiry, login locks) are decided on the store's clock, never on the calling
-- instance's: instances whose clocks disagree still agree on every window, and a script that ran late (a slow or
-- paused Redis) measures from when it ran, not from when it was sent. Redis 7 replicates scripts by effects, so TIME
-- is allowed before writes. `override` is for tests only (an injected clock); production sends '' and uses TIME.
local function store_now (override)
  local ms = tonumber(override)
  if ms then return ms end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
