-- Read a visitor session and push its expiry back (the rule in keys.py): a session that has
-- been in the queue lives VISITOR_TTL after its last use, or until its block ends if later;
-- one that never got that far keeps the short expiry it was stored with, so a refused or
-- abandoned first request costs minutes of memory, not a day. A block whose key has expired
-- is cleared here, so every later reader (enqueue included) sees it ended.
-- KEYS: 1 visitor hash, 2 block hash; ARGV: 1 visitor ttl (s)
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
if redis.call('HGET', KEYS[1], 'blocked') == '1' and redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('HDEL', KEYS[1], 'blocked')
end
if redis.call('HEXISTS', KEYS[1], 'chats') == 1 then
  local block_s = math.ceil(redis.call('PTTL', KEYS[2]) / 1000)
  redis.call('EXPIRE', KEYS[1], math.max(tonumber(ARGV[1]), block_s))
end
return redis.call('HGETALL', KEYS[1])
