-- Writes delivery progress only while the caller still holds the chat's delivery lease; may end the lease.
-- KEYS[1] lease key, KEYS[2] cursors hash
-- ARGV[1] lease token, ARGV[2] '1' to release the lease after writing, ARGV[3..] field/value pairs ('' deletes)
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
for i = 3, #ARGV, 2 do
  if ARGV[i + 1] == '' then
    redis.call('HDEL', KEYS[2], ARGV[i])
  else
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  end
end
if ARGV[2] == '1' then
  redis.call('DEL', KEYS[1])
end
return 1
