-- Release a claimed question back to the inbox (its place by age kept), hand it to a
-- colleague, or send an answer under review back to its author with a note.
-- KEYS: 1 thread hash, 2 inbox zset, 3 claimed zset, 4 review zset
-- ARGV: 1 thread id, 2 mode ('release' / 'hand_over' / 'reject'), 3 acting counselor id,
--       4 target counselor id or note, 5 now_ms, 6 may act for others ('1' / '0')
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'not_found'} end
local owner = redis.call('HGET', KEYS[1], 'counselor')
if ARGV[2] == 'reject' then
  if state ~= 'review' then return {'conflict'} end
  redis.call('HSET', KEYS[1], 'state', 'claimed', 'review_note', ARGV[4], 'claimed_ms', ARGV[5])
  redis.call('ZREM', KEYS[4], ARGV[1])
  redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
  return {'ok', owner or ''}
end
if state ~= 'claimed' then return {'conflict'} end
if owner ~= ARGV[3] and ARGV[6] ~= '1' then return {'forbidden'} end
if ARGV[2] == 'release' then
  redis.call('HSET', KEYS[1], 'state', 'open')
  redis.call('HDEL', KEYS[1], 'counselor', 'claimed_ms', 'review_note')
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('ZADD', KEYS[2], redis.call('HGET', KEYS[1], 'waiting_ms') or ARGV[5], ARGV[1])
  return {'ok', owner or ''}
end
redis.call('HSET', KEYS[1], 'counselor', ARGV[4], 'claimed_ms', ARGV[5])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
return {'ok', owner or ''}
