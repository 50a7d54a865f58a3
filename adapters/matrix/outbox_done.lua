-- Removes a sent batch and its in-flight record; forgets the room when nothing is left.
-- KEYS: outbox stream, in-flight key, rooms-with-work set. ARGV: room id, then the entry ids.
for i = 2, #ARGV do
  redis.call('XDEL', KEYS[1], ARGV[i])
end
redis.call('DEL', KEYS[2])
if redis.call('XLEN', KEYS[1]) == 0 then
  redis.call('SREM', KEYS[3], ARGV[1])
end
return 1
