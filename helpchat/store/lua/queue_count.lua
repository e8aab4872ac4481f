-- Shared by the scripts that count the queue (the loader puts it in front of each script that
-- starts with "-- uses queue_count"). Only connected, waiting visitors count: an entry whose
-- visitor is gone keeps its place for the grace period but counts for neither the cap nor the
-- positions behind it, and one whose conversation expired counts for nothing.
-- Returns how many connected entries come before `stop_cid` (all of them when it is nil or not
-- queued; at most `limit` when given), and whether `stop_cid` was found still queued.
local function connected_ahead(queue_key, gone_key, prefix, stop_cid, limit)
  local count = 0
  for _, queued in ipairs(redis.call('ZRANGE', queue_key, 0, -1)) do
    local qvid = redis.call('HGET', prefix .. 'conv:' .. queued, 'vid')
    if queued == stop_cid then return count, qvid ~= false end
    if qvid and not redis.call('ZSCORE', gone_key, 'v:' .. qvid) then
      count = count + 1
      if limit and count >= limit then return count, false end
    end
  end
  return count, false
end
