-- Records posts an adapter made for a chat, in one step with "the chat's archive is out of date": a post made
-- after the archive was written has the chat archived again. Returns 1 when the archive had been written.
-- KEYS[1] the chat's posts hash, KEYS[2] its archived marker; ARGV[1] the hash's TTL, ARGV[2..] field, value pairs
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return redis.call('DEL', KEYS[2])
