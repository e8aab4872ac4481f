-- Set a flag field of a hash unless it is set, and give the hash an expiry if it has none (a
-- hash this creates is never left without one). One command, where a MULTI pipeline and an
-- EXPIRE were (see hash_add.lua).
-- KEYS: 1 the hash
-- ARGV: 1 the field, 2 seconds the hash lives when it has no expiry yet
-- Returns 1 when this call set the flag, 0 when it was set before.
local first = redis.call('HSETNX', KEYS[1], ARGV[1], '1')
if redis.call('TTL', KEYS[1]) == -1 then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return first
