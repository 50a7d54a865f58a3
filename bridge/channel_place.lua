-- Picks the least busy of a queue's channels for a new thread and counts its root post there in the same step,
-- so chats placed at the same moment, by one process or several, spread instead of piling into one channel.
-- The choice is kept for the thread: asked again (a retry after a crash, maybe after the root was posted), the
-- script answers the same channel while it is still offered, so the root is not posted in a second one.
-- KEYS[1]: the thread's placement; then for each channel in order, its current epoch's counter, then its
-- previous epoch's.
-- ARGV: the factors that scale the current and the previous epoch's sums to now, the root post's weight, the
-- counters' TTL, the placement's TTL, then the channels' names in KEYS' order.
-- Returns the chosen channel's 1-based position; the first listed wins among equals.
local now_cur, now_prev, weight = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local placed = redis.call('GET', KEYS[1])
if placed then
  for i = 6, #ARGV do
    if ARGV[i] == placed then
      return i - 5
    end
  end
end
local best, least = 1, nil
for i = 2, #KEYS, 2 do
  local cur = tonumber(redis.call('GET', KEYS[i]) or '0')
  local prev = tonumber(redis.call('GET', KEYS[i + 1]) or '0')
  local load = cur * now_cur + prev * now_prev
  if least == nil or load < least then
    best, least = i / 2, load
  end
end
local key = KEYS[2 * best]
redis.call('INCRBYFLOAT', key, weight)
redis.call('EXPIRE', key, ARGV[4])
redis.call('SET', KEYS[1], ARGV[5 + best], 'EX', ARGV[5])
return best
