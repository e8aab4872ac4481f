-- A socket closed: out of its owner's connections and its process's sockets; when it was the
-- owner's last, the grace period starts (NX: one already running, another tab gone earlier,
-- keeps its start). One command (batching.py). Returns the owner's sockets left.
-- KEYS: 1 the owner's connections, 2 hc:gone, 3 the process's sockets
-- ARGV: 1 socket id, 2 owner member of hc:gone, 3 socket member, 4 now ms
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[3])
local left = redis.call('SCARD', KEYS[1])
if left == 0 then
  redis.call('ZADD', KEYS[2], 'NX', ARGV[4], ARGV[2])
end
return left
