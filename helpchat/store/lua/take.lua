-- Move one conversation from the queue to a counselor. The only way a chat gets a counselor
-- from the queue, so two counselors (on any number of processes) can never take the same one.
-- KEYS: 1 queue zset, 2 duty hash, 3 the counselor's active-chats set
-- ARGV: 1 counselor id, 2 cid or '' (next by priority), 3 now_ms, 4 max chats, 5 key prefix
if redis.call('HGET', KEYS[2], ARGV[1]) ~= 'on' then return {'off_duty'} end
-- An open wrap-up (hc:wrapup:{id}, see store/wrapups.py) means: no new chat yet.
if redis.call('EXISTS', ARGV[5] .. 'wrapup:' .. ARGV[1]) == 1 then return {'wrap_up'} end
if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[4]) then return {'limit'} end
local cid = ARGV[2]
if cid == '' then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0)
  if #first == 0 then return {'empty'} end
  cid = first[1]
elseif not redis.call('ZSCORE', KEYS[1], cid) then
  if redis.call('HGET', ARGV[5] .. 'conv:' .. cid, 'state') then return {'conflict'} end
  return {'not_found'}
end
redis.call('ZREM', KEYS[1], cid)
local conv = ARGV[5] .. 'conv:' .. cid
local vid = redis.call('HGET', conv, 'vid')
if not vid then return {'not_found'} end
redis.call('HSET', conv, 'state', 'active', 'counselor', ARGV[1], 'started_ms', ARGV[3])
redis.call('SADD', KEYS[3], cid)
local visitor = ARGV[5] .. 'v:' .. vid
if redis.call('HGET', visitor, 'conv') == cid then
  redis.call('HSET', visitor, 'state', 'chatting')
end
return {'ok', cid}
