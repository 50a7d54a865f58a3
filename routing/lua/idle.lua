-- Closes an active chat whose customer has been silent for the idle timeout; else re-arms the timer
-- at the last customer message plus the timeout. Reads only the events of that last window.
-- ARGV[3] chat id, ARGV[4] idle timeout in seconds
local c = chat(ARGV[3])
if not c or c.state ~= 'active' then
  drop_timer('idle:' .. ARGV[3])
  return finish({ status = 'stale' })
end
local due = tonumber(redis.call('ZSCORE', K.timers, 'idle:' .. c.id))
if due and NOW < due then return finish({ status = 'early', due = due }) end
local timeout = tonumber(ARGV[4])
local cutoff = NOW - timeout
local last = c.accepted_at
local upper = '+'
local found = false
while not found do
  local rows = redis.call('XREVRANGE', K.events(c.id), upper, string.format('%.0f', cutoff * 1000), 'COUNT', 100)
  if #rows == 0 then break end
  for _, row in ipairs(rows) do
    local e = cjson.decode(row[2][2])
    if e.kind == 'message' and type(e.author) == 'table' and e.author.kind == 'customer' then
      last = math.max(last, e.ts)
      found = true
      break
    end
  end
  upper = '(' .. rows[#rows][1]
end
if last > cutoff then
  add_timer('idle:' .. c.id, last + timeout)
  return finish({ status = 'active', due = last + timeout })
end
close_chat(c, 'idle', 'system')
return finish({ status = 'closed', agent = c.agent_id })
