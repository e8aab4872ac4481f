-- Move one conversation from the queue to a counselor. The only way a chat gets a counselor
-- from the queue, so two counselors (on any number of processes) can never take the same one.
-- KEYS: 1 queue zset, 2 duty hash, 3 the counselor's active-chats set, 4 gone zset
-- ARGV: 1 counselor id, 2 cid or '' (next by priority), 3 now_ms, 4 max chats, 5 key prefix
-- Returns {'ok', cid, first, the conversation's fields} (first: 1 the first time a counselor
-- takes it, not after a transfer or requeue), or {refusal}.
if redis.call('HGET', KEYS[2], ARGV[1]) ~= 'on' then return {'off_duty'} end
-- An open wrap-up (hc:wrapup:{id}, see store/wrapups.py) means: no new chat yet.
if redis.call('EXISTS', ARGV[5] .. 'wrapup:' .. ARGV[1]) == 1 then return {'wrap_up'} end
-- A cool-down after a heavy or long chat (hc:cooldown:{id}, see store/wellbeing.py).
if redis.call('EXISTS', ARGV[5] .. 'cooldown:' .. ARGV[1]) == 1 then return {'cooldown'} end
if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[4]) then return {'limit'} end
local cid = ARGV[2]
if cid == '' then
  -- The next by priority whose visitor is connected: one who left keeps their place for the
  -- grace period, but a counselor must not wait on an empty chat while others wait.
  cid = nil
  for _, queued in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    local qvid = redis.call('HGET', ARGV[5] .. 'conv:' .. queued, 'vid')
    if not qvid then
      redis.call('ZREM', KEYS[1], queued)  -- its hash expired: it can never be taken
    elseif not redis.call('ZSCORE', KEYS[4], 'v:' .. qvid) then
      cid = queued
      break
    end
  end
  if not cid then return {'empty'} end
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
local first = redis.call('HSETNX', conv, 'answered', '1')
return {'ok', cid, first, redis.call('HGETALL', conv)}
