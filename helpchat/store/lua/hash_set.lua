-- Set fields of one hash and its expiry, atomically (a session is never left without one).
-- One command, where a MULTI pipeline was (see hash_add.lua).
-- KEYS: 1 the hash
-- ARGV: 1 seconds it lives, then field, value, field, value, ...
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
