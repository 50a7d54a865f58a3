-- A sink's next events for its delivery, read while the caller still holds the chat's delivery lease, with where
-- the sink stands written in the same step: its cursor (the last event delivered) and the first event read as
-- the one being attempted (none when none was read), so that event's post needs no write of its own before it.
-- Returns the rows, each field list flat, or nil when the lease is not the caller's.
-- KEYS[1] lease key, KEYS[2] cursors hash, KEYS[3] events stream
-- ARGV[1] lease token, ARGV[2] the sink's cursor field, ARGV[3] cursor, ARGV[4] the range's start, ARGV[5] most
-- rows, ARGV[6] the sink's attempt field
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return false
end
local rows = redis.call('XRANGE', KEYS[3], ARGV[4], '+', 'COUNT', ARGV[5])
if rows[1] then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3], ARGV[6], rows[1][1])
else
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
  redis.call('HDEL', KEYS[2], ARGV[6])
end
return rows
