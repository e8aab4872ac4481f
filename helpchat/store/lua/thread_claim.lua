-- Give one waiting question to a counselor. The only way a question leaves the inbox for a
-- counselor, so two counselors (on any number of processes) can never claim the same one.
-- KEYS: 1 inbox zset, 2 claimed zset
-- ARGV: 1 thread id or '' (the oldest), 2 counselor id, 3 now_ms, 4 key prefix
local tid = ARGV[1]
if tid == '' then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0)
  if #first == 0 then return {'empty'} end
  tid = first[1]
elseif not redis.call('ZSCORE', KEYS[1], tid) then
  if redis.call('HGET', ARGV[4] .. 'thread:' .. tid, 'state') then return {'conflict'} end
  return {'not_found'}
end
redis.call('ZREM', KEYS[1], tid)
local thread = ARGV[4] .. 'thread:' .. tid
if redis.call('HGET', thread, 'state') ~= 'open' then return {'not_found'} end
redis.call('HSET', thread, 'state', 'claimed', 'counselor', ARGV[2], 'claimed_ms', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[3], tid)
return {'ok', tid}
