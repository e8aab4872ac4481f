-- uses gcra
-- Append a message once per client_id: a resend after a reconnect returns the stored id.
-- KEYS: 1 conversation hash, 2 message stream, 3 client-id hash, 4 the sender's rate bucket
-- ARGV: 1 client_id or '', 2 sender, 3 text, 4 counselor name, 5 now_ms, 6 content ttl,
--       7 owner field ('vid' / 'counselor' / '' for system), 8 owner value,
--       9 most messages, 10 most bytes of text in the conversation,
--       11 the bucket's refill interval (ms), 12 its burst
-- Returns {'ok', id, vid, counselor}: who to deliver to, without a second round trip;
-- {'too_large', 1|0, vid, counselor} past the caps (1: the first refusal, tell the counselor);
-- {'rate_limited', retry after ms} when the sender writes faster than its bucket allows.
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'not_found'} end
-- Ownership before the resend lookup: nobody learns a message by guessing its client_id.
if ARGV[7] ~= '' and redis.call('HGET', KEYS[1], ARGV[7]) ~= ARGV[8] then return {'forbidden'} end
if ARGV[1] ~= '' then
  local existing = redis.call('HGET', KEYS[3], ARGV[1])
  if existing then return {'dup', existing} end
end
if state == 'ended' then return {'closed'} end
-- One token per new message (a resend above is free; system notices have no bucket).
if ARGV[7] ~= '' then
  local allowed, _, retry = gcra_take(KEYS[4], tonumber(ARGV[5]), tonumber(ARGV[11]),
    tonumber(ARGV[12]))
  if not allowed then return {'rate_limited', retry} end
end
-- The caps bound what one chat can cost (Redis memory, every page, every take). System notices
-- pass: they come from counselors' and the server's own moves, not from a sender's loop.
local size = string.len(ARGV[3])
if ARGV[7] ~= '' then
  local bytes = tonumber(redis.call('HGET', KEYS[1], 'bytes') or '0')
  if redis.call('XLEN', KEYS[2]) >= tonumber(ARGV[9]) or bytes + size > tonumber(ARGV[10]) then
    local first = redis.call('HSETNX', KEYS[1], 'full', '1')
    return {'too_large', first, redis.call('HGET', KEYS[1], 'vid'),
            redis.call('HGET', KEYS[1], 'counselor')}
  end
end
redis.call('HINCRBY', KEYS[1], 'bytes', size)
local id = redis.call('XADD', KEYS[2], '*', 's', ARGV[2], 't', ARGV[3], 'c', ARGV[1],
  'n', ARGV[4], 'ts', ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[6])
if ARGV[1] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[1], id)
  redis.call('EXPIRE', KEYS[3], ARGV[6])
end
return {'ok', id, redis.call('HGET', KEYS[1], 'vid'), redis.call('HGET', KEYS[1], 'counselor')}
