-- Shared by the scripts that spend from a rate bucket (the loader puts it in front of each
-- script that starts with "-- uses gcra"): helpchat.limits.decide, inside Redis, so that two
-- processes never both spend the last token. The bucket's one number is the moment it would be
-- full again; tests/test_limits_store.py checks that both decide alike.
-- Returns allowed (true/false), the state (ms), the retry-after (ms; 0 when allowed).
local function gcra_take(key, now, interval, burst)
  local stored = redis.call('GET', key)
  local start = math.max(stored and tonumber(stored) or now, now)
  local new_tat = start + interval
  local allow_at = new_tat - burst * interval
  if allow_at > now then
    return false, start, math.max(1, math.floor(allow_at - now + 0.999))
  end
  local tat = math.floor(new_tat + 0.999)
  -- Gone once the bucket is full again: an idle sender costs nothing.
  redis.call('SET', key, string.format('%d', tat), 'PX', math.max(1, tat - now))
  return true, tat, 0
end
