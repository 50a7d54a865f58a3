-- Extends the chat's delivery lease if the caller still holds it.
-- KEYS[1] lease key. ARGV[1] lease token, ARGV[2] new time to live in ms
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
