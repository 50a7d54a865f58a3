-- Picks the least busy of a queue's channels for a new thread and counts the new chat there in the same step,
-- so chats placed at the same moment, by one process or several, spread instead of piling into one channel.
-- The choice is kept for the thread: asked again (a retry after a crash, maybe after the root was posted), the
-- script answers the same channel while it is still offered, so the root is not posted in a second one.
-- KEYS[1]: the thread's placement; then for each channel in order, its counters for the epochs a read takes
-- (channel_load.EPOCHS_READ), the caller's own epoch first.
-- ARGV: how many epochs a read takes, the factors that scale their sums to now (in the same order), the new
-- chat's weight, the counters' TTL, the placement's TTL, then the channels' names in KEYS' order.
-- Returns the chosen channel's 1-based position; the first listed wins among equals.
local epochs = tonumber(ARGV[1])
local weight, counter_ttl, placement_ttl = ARGV[epochs + 2], ARGV[epochs + 3], ARGV[epochs + 4]
local first_name = epochs + 5
local channels = #ARGV - first_name + 1
local placed = redis.call('GET', KEYS[1])
if placed then
  for i = first_name, #ARGV do
    if ARGV[i] == placed then
      return i - first_name + 1
    end
  end
end
local best, least = 1, nil
for c = 1, channels do
  local load = 0
  for e = 1, epochs do
    load = load + tonumber(redis.call('GET', KEYS[1 + (c - 1) * epochs + e]) or '0') * tonumber(ARGV[1 + e])
  end
  if least == nil or load < least then
    best, least = c, load
  end
end
local key = KEYS[2 + (best - 1) * epochs]
redis.call('INCRBYFLOAT', key, weight)
redis.call('EXPIRE', key, counter_ttl)
redis.call('SET', KEYS[1], ARGV[first_name + best - 1], 'EX', placement_ttl)
return best
