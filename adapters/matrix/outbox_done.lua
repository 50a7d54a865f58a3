-- Removes a sent batch and its in-flight record, notes the post as its thread's latest, and forgets the
-- lane when nothing is left.
-- KEYS: lane stream, in-flight key, lanes-with-work set, [the thread's latest-post key].
-- ARGV: lane member, the post's event id, latest-post TTL, then the entry ids.
-- Returns how many posts are still queued in the lane.
for i = 4, #ARGV do
  redis.call('XDEL', KEYS[1], ARGV[i])
end
redis.call('DEL', KEYS[2])
if KEYS[4] then
  redis.call('SET', KEYS[4], ARGV[2], 'EX', ARGV[3])
end
local left = redis.call('XLEN', KEYS[1])
if left == 0 then
  redis.call('SREM', KEYS[3], ARGV[1])
end
return left
