-- Removes a sent batch and its in-flight record; forgets the lane when nothing is left.
-- KEYS: lane stream, in-flight key, lanes-with-work set. ARGV: lane member, then the entry ids.
-- Returns how many posts are still queued in the lane.
for i = 2, #ARGV do
  redis.call('XDEL', KEYS[1], ARGV[i])
end
redis.call('DEL', KEYS[2])
local left = redis.call('XLEN', KEYS[1])
if left == 0 then
  redis.call('SREM', KEYS[3], ARGV[1])
end
return left
