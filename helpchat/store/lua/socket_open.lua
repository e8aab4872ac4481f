-- A socket opened: in its owner's connections, held by this process, its owner not gone
-- (presence.py: each connect, and each socket a process taken for dead puts back). One
-- command, so it joins the turn's batch (batching.py).
-- KEYS: 1 the owner's connections, 2 hc:gone, 3 this process's sockets
-- ARGV: 1 socket id, 2 connections' ttl s, 3 owner member of hc:gone, 4 socket member,
--       5 process sockets' ttl s
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[4])
redis.call('EXPIRE', KEYS[3], ARGV[5])
return 1
