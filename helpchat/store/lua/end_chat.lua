-- End a queued or active conversation and schedule (or do) the deletion of its content.
-- KEYS: 1 conversation hash, 2 message stream, 3 client-id hash, 4 queue zset
-- ARGV: 1 cid, 2 now_ms, 3 retention seconds (0 = delete now), 4 key prefix
local state = redis.call('HGET', KEYS[1], 'state')
if not state or state == 'ended' then return {'gone'} end
local counselor = redis.call('HGET', KEYS[1], 'counselor')
local vid = redis.call('HGET', KEYS[1], 'vid')
local started = redis.call('HGET', KEYS[1], 'started_ms')
-- For the insights counters: when it was requested, the wait announced then, whether taken.
local facts = redis.call('HMGET', KEYS[1], 'created_ms', 'eta_s', 'answered')
redis.call('ZREM', KEYS[4], ARGV[1])
if counselor ~= '' then redis.call('SREM', ARGV[4] .. 'cchats:' .. counselor, ARGV[1]) end
local visitor = ARGV[4] .. 'v:' .. vid
if redis.call('HGET', visitor, 'conv') == ARGV[1] then
  redis.call('HSET', visitor, 'state', 'ended')
end
local retention = tonumber(ARGV[3])
if retention <= 0 then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
else
  redis.call('HSET', KEYS[1], 'state', 'ended', 'ended_ms', ARGV[2])
  for i = 1, 3 do
    if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('EXPIRE', KEYS[i], retention) end
  end
end
return {'ok', state, counselor, vid, started, facts[1] or '', facts[2] or '', facts[3] or ''}
