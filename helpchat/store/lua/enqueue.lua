-- uses queue_count
-- Put a visitor's new conversation in the queue, atomically with the checks that decide it.
-- KEYS: 1 visitor hash, 2 queue zset, 3 conversation hash, 4 gone zset (disconnect times)
-- ARGV: 1 cid, 2 score, 3 now_ms, 4 topic, 5 urgent (1/0), 6 queue cap, 7 content ttl,
--       8 vid, 9 pseudonym code, 10 lang, 11 key prefix; for a visit not stored yet, 12 the
--       seconds its session lives, then its field, value, ... (VisitorSessions.new_session_args;
--       without them a session that expired is 'gone')
-- Returns {status, cid, place}: the place as queue_place.lua counts it (0 when not queued), so
-- the join needs no second round trip to tell the youth.
local function place(cid)
  local ahead, found = connected_ahead(KEYS[2], KEYS[4], ARGV[11], cid, nil)
  return found and ahead + 1 or 0
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  -- A visit's first request: its session is stored from now on (as VisitorSessions.create
  -- stores one), in the same round trip as the join.
  if ARGV[12] == nil then return {'gone'} end
  redis.call('HSET', KEYS[1], unpack(ARGV, 13))
  redis.call('EXPIRE', KEYS[1], ARGV[12])
end
if redis.call('HGET', KEYS[1], 'blocked') == '1' then return {'blocked'} end
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'queued' or state == 'chatting' then
  local cid = redis.call('HGET', KEYS[1], 'conv')
  return {'exists', cid, place(cid)}
end
-- Only connected, waiting visitors count against the cap: an entry whose visitor is gone
-- keeps its place for the grace period, but must not keep real youths out meanwhile.
local cap = tonumber(ARGV[6])
if connected_ahead(KEYS[2], KEYS[4], ARGV[11], nil, cap) >= cap then return {'full'} end
local earlier = tonumber(redis.call('HGET', KEYS[1], 'chats') or '0')
redis.call('HSET', KEYS[3], 'vid', ARGV[8], 'state', 'queued', 'counselor', '',
  'topic', ARGV[4], 'urgent', ARGV[5], 'created_ms', ARGV[3], 'started_ms', '',
  'pseudonym', ARGV[9], 'lang', ARGV[10], 'returning', earlier > 0 and '1' or '0')
redis.call('EXPIRE', KEYS[3], ARGV[7])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[1], 'state', 'queued', 'conv', ARGV[1], 'chats', earlier + 1)
return {'ok', ARGV[1], place(ARGV[1])}
