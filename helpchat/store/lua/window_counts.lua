-- Count one event in each of two sliding windows (as proof.py reads them) and return each
-- window's count with its predecessor's. One command, where a MULTI pipeline was (see
-- hash_add.lua).
-- KEYS: 1 window one now, 2 window one before, 3 window two now, 4 window two before
-- ARGV: 1 window one's expiry, 2 window two's expiry (seconds)
local function count(now, before, ttl)
  local n = redis.call('INCR', now)
  redis.call('EXPIRE', now, ttl)
  return {n, tonumber(redis.call('GET', before) or '0')}
end
local one, two = count(KEYS[1], KEYS[2], ARGV[1]), count(KEYS[3], KEYS[4], ARGV[2])
return {one[1], one[2], two[1], two[2]}
