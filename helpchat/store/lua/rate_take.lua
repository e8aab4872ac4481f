-- uses gcra
-- Take one event from a rate bucket (typing; messages spend inside add_message.lua).
-- KEYS: 1 bucket; ARGV: 1 now (ms), 2 refill interval (ms, may be fractional), 3 burst
-- Returns {allowed 0/1, state ms, retry after ms}.
local allowed, tat, retry = gcra_take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]),
  tonumber(ARGV[3]))
return {allowed and 1 or 0, tat, retry}
