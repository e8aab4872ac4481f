-- A new question thread with its first messages, reachable only through its code's index key.
-- A question asked is 'open' (in the inbox); a chat continued later ("keep talking later") is
-- 'claimed' by its counselor and starts with the chat's messages.
-- KEYS: 1 thread hash, 2 message stream, 3 client-id hash, 4 code index (tcode:{hmac}),
--       5 inbox zset, 6 claimed zset, 7 expiry zset
-- ARGV: 1 thread id, 2 lang, 3 now_ms, 4 argon2 hash of the code, 5 code hmac, 6 ttl seconds,
--       7 origin ('ask' / 'live'), 8 state ('open' / 'claimed'), 9 counselor id or '',
--       then per message: sender, text, client_id or '', counselor name or '', ts_ms
-- Two codes with one HMAC are as likely as guessing one: still refused, the caller retries.
if not redis.call('SET', KEYS[4], ARGV[1], 'NX', 'EX', ARGV[6]) then return {'collision'} end
local bytes = 0
for i = 10, #ARGV, 5 do
  local id = redis.call('XADD', KEYS[2], '*', 's', ARGV[i], 't', ARGV[i + 1], 'c', ARGV[i + 2],
    'n', ARGV[i + 3], 'ts', ARGV[i + 4])
  if ARGV[i + 2] ~= '' then redis.call('HSET', KEYS[3], ARGV[i + 2], id) end
  bytes = bytes + #ARGV[i + 1]
end
redis.call('HSET', KEYS[1], 'lang', ARGV[2], 'state', ARGV[8], 'created_ms', ARGV[3],
  'last_ms', ARGV[3], 'waiting_ms', ARGV[3], 'code_hash', ARGV[4], 'digest', ARGV[5],
  'bytes', bytes, 'origin', ARGV[7])
if ARGV[8] == 'claimed' then
  redis.call('HSET', KEYS[1], 'counselor', ARGV[9], 'claimed_ms', ARGV[3])
  redis.call('ZADD', KEYS[6], ARGV[3], ARGV[1])
else
  redis.call('ZADD', KEYS[5], ARGV[3], ARGV[1])
end
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[6]) end
redis.call('ZADD', KEYS[7], tonumber(ARGV[3]) + tonumber(ARGV[6]) * 1000, ARGV[1])
return {'ok'}
