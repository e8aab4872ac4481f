-- A new question thread with its first message, reachable only through its code's index key.
-- KEYS: 1 thread hash, 2 message stream, 3 client-id hash, 4 code index (tcode:{hmac}),
--       5 inbox zset, 6 expiry zset
-- ARGV: 1 thread id, 2 lang, 3 text, 4 now_ms, 5 argon2 hash of the code, 6 code hmac,
--       7 ttl seconds, 8 client_id or '', 9 origin ('ask' / 'live')
-- Two codes with one HMAC are as likely as guessing one: still refused, the caller retries.
if not redis.call('SET', KEYS[4], ARGV[1], 'NX', 'EX', ARGV[7]) then return {'collision'} end
redis.call('HSET', KEYS[1], 'lang', ARGV[2], 'state', 'open', 'created_ms', ARGV[4],
  'last_ms', ARGV[4], 'waiting_ms', ARGV[4], 'code_hash', ARGV[5], 'digest', ARGV[6],
  'bytes', #ARGV[3], 'origin', ARGV[9])
local id = redis.call('XADD', KEYS[2], '*', 's', 'visitor', 't', ARGV[3], 'c', ARGV[8],
  'n', '', 'ts', ARGV[4])
if ARGV[8] ~= '' then redis.call('HSET', KEYS[3], ARGV[8], id) end
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[7]) end
redis.call('ZADD', KEYS[5], ARGV[4], ARGV[1])
redis.call('ZADD', KEYS[6], tonumber(ARGV[4]) + tonumber(ARGV[7]) * 1000, ARGV[1])
return {'ok', id}
