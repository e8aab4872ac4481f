-- Add a message to a question thread: a visitor's reply, a counselor's answer (or its draft
-- when answers are reviewed), or a supervisor approving that draft. Every message moves the
-- thread's expiry to ttl after it, for all its keys and its code's index key.
-- KEYS: 1 thread hash, 2 message stream, 3 client-id hash, 4 inbox zset, 5 claimed zset,
--       6 review zset, 7 expiry zset
-- ARGV: 1 thread id, 2 'visitor' / 'counselor' / 'approve', 3 text, 4 client_id or '',
--       5 counselor id, 6 counselor name, 7 now_ms, 8 ttl seconds, 9 max messages,
--       10 max bytes, 11 review answers ('1' / '0'), 12 key prefix
-- Returns {'ok', id, waited ms or '', author id or ''} | {'review'} | {'dup', id} | {error}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'not_found'} end
local sender, text, cid, name, author = ARGV[2], ARGV[3], ARGV[4], ARGV[6], ARGV[5]
if sender == 'approve' then
  if state ~= 'review' then return {'conflict'} end
  local draft = redis.call('HMGET', KEYS[1], 'draft_text', 'draft_cid', 'draft_name', 'counselor')
  text, cid, name, author, sender = draft[1] or '', draft[2] or '', draft[3] or '', draft[4] or '',
    'counselor'
elseif sender == 'counselor' then
  -- Ownership before the resend lookup: nobody learns a message by guessing its client_id.
  if state ~= 'claimed' or redis.call('HGET', KEYS[1], 'counselor') ~= author then
    return {'conflict'}
  end
end
if cid ~= '' then
  local existing = redis.call('HGET', KEYS[3], cid)
  if existing then return {'dup', existing} end
end
if redis.call('XLEN', KEYS[2]) >= tonumber(ARGV[9]) then return {'too_large'} end
local bytes = tonumber(redis.call('HGET', KEYS[1], 'bytes') or '0') + #text
if bytes > tonumber(ARGV[10]) then return {'too_large'} end
local now, ttl = ARGV[7], ARGV[8]
local function refresh()
  for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ttl) end
  local digest = redis.call('HGET', KEYS[1], 'digest')
  if digest then redis.call('EXPIRE', ARGV[12] .. 'tcode:' .. digest, ttl) end
  redis.call('ZADD', KEYS[7], tonumber(now) + tonumber(ttl) * 1000, ARGV[1])
end
if ARGV[2] == 'counselor' and ARGV[11] == '1' then
  -- Held for a supervisor: the young person sees nothing until it is approved.
  redis.call('HSET', KEYS[1], 'state', 'review', 'draft_text', text, 'draft_cid', cid,
    'draft_name', name, 'draft_ms', now, 'last_ms', now)
  redis.call('HDEL', KEYS[1], 'review_note')
  redis.call('ZREM', KEYS[5], ARGV[1])
  redis.call('ZADD', KEYS[6], now, ARGV[1])
  refresh()
  return {'review'}
end
local id = redis.call('XADD', KEYS[2], '*', 's', sender, 't', text, 'c', cid, 'n', name,
  'ts', now)
if cid ~= '' then redis.call('HSET', KEYS[3], cid, id) end
redis.call('HSET', KEYS[1], 'bytes', bytes, 'last_ms', now)
local waited = ''
if sender == 'visitor' then
  -- A claimed thread (or one in review) stays with its counselor, who sees the reply.
  if state == 'answered' or state == 'done' then
    redis.call('HSET', KEYS[1], 'state', 'open', 'waiting_ms', now)
    state = 'open'
  end
  if state == 'open' then
    redis.call('ZADD', KEYS[4], 'NX', redis.call('HGET', KEYS[1], 'waiting_ms') or now, ARGV[1])
  end
else
  waited = tostring(tonumber(now) - tonumber(redis.call('HGET', KEYS[1], 'waiting_ms') or now))
  -- answered_by: offered again when the young person comes back live (opt-in, see
  -- realtime/questions.py); a counselor id, never anything of the young person.
  redis.call('HSET', KEYS[1], 'state', 'answered', 'answered_ms', now, 'answered_by', author)
  redis.call('HDEL', KEYS[1], 'waiting_ms', 'counselor', 'claimed_ms', 'draft_text', 'draft_cid',
    'draft_name', 'draft_ms', 'review_note')
  for i = 4, 6 do redis.call('ZREM', KEYS[i], ARGV[1]) end
end
refresh()
return {'ok', id, waited, author}
