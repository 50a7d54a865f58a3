-- The max-wait timer of one stay in a queue (seq); a chat that moved on since is left alone.
-- An offered chat overflows only if its offers end unanswered.
-- ARGV[3] chat id, ARGV[4] wait sequence number the timer was set for
local c, r = chat(ARGV[3]), route(ARGV[3])
local timer = 'wait:' .. ARGV[3] .. ':' .. ARGV[4]
if not c or tostring(r.seq) ~= ARGV[4] then return finish({ status = 'stale' }) end
local due = tonumber(redis.call('ZSCORE', K.timers, timer))
if not due or (c.state ~= 'waiting' and c.state ~= 'offered') then
  drop_timer(timer)
  return finish({ status = 'stale' })
end
if NOW < due then return finish({ status = 'early', due = due }) end
if c.state == 'offered' then
  redis.call('HSET', K.route(c.id), 'overflow_due', '1')
  drop_timer(timer)
  return finish({ status = 'deferred' })
end
return finish({ status = 'overflowed', outcome = overflow(c.id, 'max_wait') })
