-- Picks the least busy of a queue's channels and counts the new thread's root post there in the same step,
-- so chats placed at the same moment, by one process or several, spread instead of piling into one channel.
-- KEYS: for each channel in order, its current epoch's counter, then its previous epoch's.
-- ARGV: the factors that scale the current and the previous epoch's sums to now, the root post's weight
-- (added to the chosen channel's current counter), the counters' TTL in seconds.
-- Returns the chosen channel's 1-based position; the first listed wins among equals.
local now_cur, now_prev, weight, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local best, least = 1, nil
for i = 1, #KEYS, 2 do
  local cur = tonumber(redis.call('GET', KEYS[i]) or '0')
  local prev = tonumber(redis.call('GET', KEYS[i + 1]) or '0')
  local load = cur * now_cur + prev * now_prev
  if least == nil or load < least then
    best, least = (i + 1) / 2, load
  end
end
local key = KEYS[2 * best - 1]
redis.call('INCRBYFLOAT', key, weight)
redis.call('EXPIRE', key, ttl)
return best
