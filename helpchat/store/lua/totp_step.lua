-- Accept a TOTP time step only if it is later than the last one accepted for the account
-- (RFC 6238 5.2: a code is good once). Two processes checking the same code at the same moment
-- cannot both accept it. The key outlives the window in which an old step could still match.
-- KEYS: 1 last-step key; ARGV: 1 matched step, 2 ttl (s). Returns 1 accepted, 0 replay.
local last = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) <= last then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
return 1
