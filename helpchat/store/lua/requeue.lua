-- Give an active conversation back to the queue (transfer to queue, counselor gone).
-- KEYS: 1 queue zset, 2 conversation hash, 3 the counselor's active-chats set
-- ARGV: 1 cid, 2 score, 3 counselor id, 4 key prefix
if redis.call('HGET', KEYS[2], 'state') ~= 'active'
   or redis.call('HGET', KEYS[2], 'counselor') ~= ARGV[3] then
  return {'conflict'}
end
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('HSET', KEYS[2], 'state', 'queued', 'counselor', '')
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local vid = redis.call('HGET', KEYS[2], 'vid')
local visitor = ARGV[4] .. 'v:' .. vid
if redis.call('HGET', visitor, 'conv') == ARGV[1] then
  redis.call('HSET', visitor, 'state', 'queued')
end
return {'ok', vid}
