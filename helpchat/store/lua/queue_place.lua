-- uses queue_count
-- The queue's length (connected, waiting visitors) or one conversation's place in it, in one
-- round trip (reading every entry's conversation and stream, as the console's queue does, only
-- to count them cost a dozen reads per entry).
-- KEYS: 1 queue zset, 2 gone zset
-- ARGV: 1 key prefix, 2 cid ('' for the length)
-- Returns {count, found}: the length (found 0), or the place (entries ahead + 1; found 1, or 0
-- when the conversation is not queued).
local stop = ARGV[2] ~= '' and ARGV[2] or nil
local ahead, found = connected_ahead(KEYS[1], KEYS[2], ARGV[1], stop, nil)
if found then return {ahead + 1, 1} end
return {ahead, 0}
