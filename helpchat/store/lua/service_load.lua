-- uses queue_count
-- The one reading behind every availability and wait estimate, in one round trip (it was four:
-- duty, the counselors' disconnect times, the queue's length, recent chat durations).
-- KEYS: 1 duty hash, 2 gone zset, 3 queue zset, 4 handle-times list
-- ARGV: 1 key prefix
-- Returns {duty (flat id, state pairs), gone (for each id in that order: ms or ''),
--          queue length (connected, waiting), handle times}
local duty = redis.call('HGETALL', KEYS[1])
local gone = {}
for i = 1, #duty, 2 do
  gone[#gone + 1] = redis.call('ZSCORE', KEYS[2], 'c:' .. duty[i]) or ''
end
local waiting = connected_ahead(KEYS[3], KEYS[2], ARGV[1], nil, nil)
return {duty, gone, waiting, redis.call('LRANGE', KEYS[4], 0, -1)}
