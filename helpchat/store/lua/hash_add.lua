-- Add to counters of one hash and set when the hash expires, atomically (a hash of counters is
-- never left without its expiry). One command, where a MULTI pipeline was: the turn's other
-- commands go to Redis with it (batching.py), and a MULTI pipeline cannot join them.
-- KEYS: 1 the hash
-- ARGV: 1 unix time it expires at, then field, increment, field, increment, ...
for i = 2, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('EXPIREAT', KEYS[1], ARGV[1])
return 1
