-- The young person marks a thread done ('done') or deletes it ('delete'), or the sweeper
-- removes an expired one ('delete'). Either way it leaves every index at once.
-- KEYS: 1 thread hash, 2 message stream, 3 client-id hash, 4 inbox zset, 5 claimed zset,
--       6 review zset, 7 expiry zset
-- ARGV: 1 thread id, 2 mode, 3 now_ms, 4 key prefix
local state = redis.call('HGET', KEYS[1], 'state')
for i = 4, 6 do redis.call('ZREM', KEYS[i], ARGV[1]) end
if ARGV[2] == 'done' then
  if not state then return {'not_found'} end
  redis.call('HSET', KEYS[1], 'state', 'done', 'done_ms', ARGV[3])
  redis.call('HDEL', KEYS[1], 'counselor', 'claimed_ms', 'waiting_ms', 'draft_text', 'draft_cid',
    'draft_name', 'draft_ms', 'review_note')
  return {'ok', state}
end
local digest = redis.call('HGET', KEYS[1], 'digest')
if digest then
  local index = ARGV[4] .. 'tcode:' .. digest
  if redis.call('GET', index) == ARGV[1] then redis.call('DEL', index) end
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('ZREM', KEYS[7], ARGV[1])
if not state then return {'not_found'} end
return {'ok', state}
