-- Close the sockets of a process that stopped beating, as if each disconnected at its last
-- heartbeat (a clean stop retired with beat 0: then at now). Atomic, so that it cannot cross a
-- beat: a process that beat again after the caller's read is alive and left alone, and one that
-- stalled and comes back finds its entry gone and registers its sockets again (presence.beat).
-- KEYS: 1 hc:procs, 2 hc:gone, 3 hc:psocks:{process}
-- ARGV: 1 process id, 2 cutoff ms, 3 now ms, 4 visitor conns prefix, 5 counselor conns prefix
-- Returns false when the process is alive (or already buried), else {last beat, sockets}.
local beat = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not beat or tonumber(beat) > tonumber(ARGV[2]) then return false end
redis.call('ZREM', KEYS[1], ARGV[1])
local gone_at = tonumber(beat)
if gone_at == 0 then gone_at = tonumber(ARGV[3]) end
local sockets = redis.call('SMEMBERS', KEYS[3])
for _, member in ipairs(sockets) do
  local kind, ident, sid = string.match(member, '^(%a):([^:]+):(.+)$')
  if kind then
    local key = (kind == 'v' and ARGV[4] or ARGV[5]) .. ident
    redis.call('SREM', key, sid)
    if redis.call('SCARD', key) == 0 then
      -- NX: a grace period already running (another tab gone earlier) keeps its start.
      redis.call('ZADD', KEYS[2], 'NX', gone_at, kind .. ':' .. ident)
    end
  end
end
redis.call('DEL', KEYS[3])
return {beat, #sockets}
