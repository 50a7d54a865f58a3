-- Starts a supervisor's live copy of a chat. The copy takes the events after the stream's newest one, read in
-- the same step as the copy is written: an event appended before it is in the history shown, one appended
-- after it finds the copy when its post is made, and none falls between.
-- KEYS[1] the chat's live copies (a hash by DM), KEYS[2] the chat's event stream.
-- ARGV[1] the DM, ARGV[2] the copy's root post there, ARGV[3] the hash's time to live.
-- Returns the newest event's id, '0' when there is none: the history is the events up to it.
local newest = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
local last = newest[1] and newest[1][1] or '0'
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({root = ARGV[2], after = last}))
redis.call('EXPIRE', KEYS[1], ARGV[3])
return last
