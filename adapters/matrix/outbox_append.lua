-- Adds one rendered post to a lane's outbox unless its key was queued before.
-- KEYS: lane stream, queued-once key, lanes-with-work set. ARGV: entry JSON, once TTL, lane member.
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2]) then
  return 0
end
redis.call('XADD', KEYS[1], '*', 'e', ARGV[1])
redis.call('SADD', KEYS[3], ARGV[3])
return 1
