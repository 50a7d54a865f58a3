-- The customer-idle timer, armed for every chat from its start. Closes a chat whose customer has been silent
-- for the idle timeout since the chat last waited on them: its start (self-service), its accept (with a
-- CSR), or being left as a message; else re-arms at their last message plus the timeout. A chat waiting
-- for a CSR is waiting on us, not on the customer: the timer only re-arms (accept and overflow set it anew).
-- A left message, claimed or not, gives its customer `message_keep` instead (they may answer by email days later).
-- Reads only the events of the last window. ARGV[3] chat id
local c = chat(ARGV[3])
if not c or c.state == 'closed' then
  drop_timer('idle:' .. ARGV[3])
  return finish({ status = 'stale' })
end
local due = tonumber(redis.call('ZSCORE', K.timers, 'idle:' .. c.id))
if due and NOW < due then return finish({ status = 'early', due = due }) end
local timeout = conf_value('idle_timeout')
local claimed = (tonumber(redis.call('HGET', K.chat(c.id), 'claimed_at')) or 0) > 0
if c.state == 'message' or claimed then timeout = conf_value('message_keep') end
if c.state == 'waiting' or c.state == 'offered' then
  add_timer('idle:' .. c.id, NOW + timeout)
  return finish({ status = 'waiting', due = NOW + timeout })
end
local since = ({ bot = c.created_at, active = c.accepted_at, message = route(c.id).message_at })[c.state]
local last = since or c.created_at
local cutoff = NOW - timeout
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
  return finish({ status = c.state, due = last + timeout })
end
close_chat(c, 'idle', 'system')
return finish({ status = 'closed', agent = c.agent_id })
