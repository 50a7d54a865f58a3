-- Arms the customer-idle timer of open chats that have none: a chat just started, and chats from before
-- every chat had one (the routing loops pass every open chat now and then). Idempotent.
-- ARGV[3..] chat ids
local timeout = conf_value('idle_timeout')
local armed = 0
for i = 3, #ARGV do
  local c = chat(ARGV[i])
  if c and c.state ~= 'closed' and not redis.call('ZSCORE', K.timers, 'idle:' .. c.id) then
    add_timer('idle:' .. c.id, NOW + timeout)
    armed = armed + 1
  end
end
return finish({ status = 'armed', armed = armed })
