-- A CSR of the queue claims a left message: the chat becomes theirs (a slot of their capacity), stays in the
-- same thread, and their replies reach the customer by email until the customer is back in the widget.
-- The first claim wins; a chat claimed or ended meanwhile is refused with who has it.
-- ARGV[3] agent id, ARGV[4] chat id, ARGV[5] agent display name
local c = chat(ARGV[4])
if not c then return finish({ status = 'missing' }) end
if c.state == 'closed' then return finish({ status = 'closed' }) end
if c.state ~= 'message' then return finish({ status = 'not_message', state = c.state, agent = c.agent_id }) end
local a, name = agent(ARGV[3]), ARGV[5]
if not a then return finish({ status = 'unknown' }) end
local r = route(c.id)
local left_for = NOW - (r.message_at or NOW)
redis.call('ZREM', K.messages(c.queue), c.id)
take(a, c.id)
redis.call('HSET', K.chat(c.id), 'state', 'active', 'agent_id', a.id, 'accepted_at', NOW, 'claimed_at', NOW)
drop_timer('unclaimed:' .. c.id)
chat_event(c.id, 'accepted', name .. ' claimed the message',
  { agent_id = a.id, agent_name = name, claimed = true, left_for = left_for })
feed('claimed', c.id, c.queue, a.id, '', { agent_id = a.id, left_for = left_for })
return finish({ status = 'claimed', chat = c.id, queue = c.queue, left_for = left_for })
