-- Records an appservice transaction and queues its contents in one atomic step, so an answered
-- transaction is always queued and a repeated one is never queued twice.
-- KEYS: transaction key, inbox stream, signals stream. ARGV: ttl, number of room events, signals cap,
-- then the room events' JSON, then the ephemeral events' JSON. Returns 1 when taken, 0 for a repeat.
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return 0
end
local events = tonumber(ARGV[2])
for i = 4, #ARGV do
  if i < 4 + events then
    redis.call('XADD', KEYS[2], '*', 'e', ARGV[i])
  else
    redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], '*', 'e', ARGV[i])
  end
end
return 1
