-- Append one event to a chat's stream, once per client message id, and announce the change
-- (as `closed:ID` too when the chat has ended, for the archiver; see routing/lua/lib/base.lua).
-- KEYS[1] events stream, KEYS[2] msgids hash, KEYS[3] changes stream, KEYS[4] chat hash
-- ARGV[1] event JSON, ARGV[2] client message id (or ''), ARGV[3] chat id, ARGV[4] changes maxlen,
-- ARGV[5] '1' when the caller WAITs for replicas: a repeat then rewrites its id, a write of its own, so the
-- WAIT that follows covers the first attempt's write too (whose own WAIT may have timed out).
-- Returns {id, 1, the id of the event just before it ('0' for the first)} or {stored id, 0}; the change names
-- the new event, so a reader that already holds everything up to it need not read the stream again.
if ARGV[2] ~= '' then
  local existing = redis.call('HGET', KEYS[2], ARGV[2])
  if existing then
    if ARGV[5] == '1' then
      redis.call('HSET', KEYS[2], ARGV[2], existing)
    end
    return {existing, 0}
  end
end
local before = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local id = redis.call('XADD', KEYS[1], '*', 'e', ARGV[1])
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[2], ARGV[2], id)
end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', 'entity', 'chat:' .. ARGV[3], 'event', id)
if redis.call('HGET', KEYS[4], 'state') == 'closed' then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', 'entity', 'closed:' .. ARGV[3])
end
return {id, 1, before[1] and before[1][1] or '0'}
