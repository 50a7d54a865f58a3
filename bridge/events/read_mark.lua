-- Move one side's read mark forward to an event of the chat's stream, and announce it as `read:ID`.
-- KEYS[1] read marks hash, KEYS[2] events stream, KEYS[3] changes stream
-- ARGV[1] side, ARGV[2] event id (ms-seq), ARGV[3] chat id, ARGV[4] changes maxlen, ARGV[5] ttl seconds
-- Returns 1 when the mark moved, 0 when it was already there or further, -1 when the id is no event of the chat.
local function order(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return ms, seq
end
local function before(a, b)
  -- stream ids compare as (ms, seq); both parts may exceed a double's precision, so compare as digit strings
  local ams, aseq = order(a)
  local bms, bseq = order(b)
  if #ams ~= #bms then return #ams < #bms end
  if ams ~= bms then return ams < bms end
  if #aseq ~= #bseq then return #aseq < #bseq end
  return aseq < bseq
end
if #redis.call('XRANGE', KEYS[2], ARGV[2], ARGV[2], 'COUNT', 1) == 0 then
  return -1
end
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and not before(current, ARGV[2]) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', 'entity', 'read:' .. ARGV[3])
return 1
