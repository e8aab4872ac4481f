-- Hand an active conversation from one counselor to another who is on duty with room.
-- KEYS: 1 conversation hash, 2 from's active-chats set, 3 to's active-chats set, 4 duty hash,
--       5 to's open wrap-up (a colleague still writing one gets no new chat, as with take),
--       6 to's cool-down (likewise)
-- ARGV: 1 cid, 2 from id, 3 to id, 4 to's max chats
if redis.call('HGET', KEYS[1], 'state') ~= 'active'
   or redis.call('HGET', KEYS[1], 'counselor') ~= ARGV[2] then
  return {'conflict'}
end
if redis.call('HGET', KEYS[4], ARGV[3]) ~= 'on' then return {'off_duty'} end
if redis.call('EXISTS', KEYS[5]) == 1 then return {'wrap_up'} end
if redis.call('EXISTS', KEYS[6]) == 1 then return {'cooldown'} end
if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[4]) then return {'limit'} end
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('HSET', KEYS[1], 'counselor', ARGV[3])
return {'ok'}
