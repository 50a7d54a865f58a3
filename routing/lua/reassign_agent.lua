-- A supervisor hands a waiting, offered or active chat straight to a CSR: no offer, the CSR has it at once.
-- Pending offers of the chat are withdrawn; an active chat's former CSR frees the slot and is told.
-- ARGV[3] chat id, ARGV[4] target agent id, ARGV[5] target's name, ARGV[6] platform the thread opens on,
-- ARGV[7] supervisor id, ARGV[8] supervisor's name
local c = chat(ARGV[3])
if not c then return finish({ status = 'missing' }) end
if c.state ~= 'waiting' and c.state ~= 'offered' and c.state ~= 'active' then
  return finish({ status = 'not_open', state = c.state })
end
local t = agent(ARGV[4])
if not t then return finish({ status = 'unknown' }) end
if t.id == c.agent_id then return finish({ status = 'self' }) end
if t.presence == 'offline' then return finish({ status = 'offline' }) end
local reserved = 0
for _, oid in ipairs(redis.call('SMEMBERS', K.chat_offers(c.id))) do
  local o = offer(oid)
  if o and o.state == 'pending' and o.agent_id == t.id then reserved = 1 end
end
if t.load + t.pending - reserved >= t.capacity then
  return finish({ status = 'full', load = t.load, capacity = t.capacity })
end
local name, by, by_name, from = ARGV[5], ARGV[7], ARGV[8], c.agent_id
for _, oid in ipairs(redis.call('SMEMBERS', K.chat_offers(c.id))) do
  local o = offer(oid)
  if o and o.state == 'pending' then settle(o, 'withdrawn') end
end
if c.state == 'active' then
  release(c)
else
  local r = route(c.id)
  dequeue(c.id, c.queue)
  drop_timer('wait:' .. c.id .. ':' .. r.seq)
  redis.call('DEL', K.tried(c.id), K.chat_offers(c.id))
  redis.call('HDEL', K.route(c.id), 'note', 'note_by', 'overflow_due')
  add_timer('idle:' .. c.id, NOW + conf_value('idle_timeout'))
  note_answered(c.queue)
end
take(t, c.id)
redis.call('HSET', K.chat(c.id), 'state', 'active', 'agent_id', t.id, 'platform', ARGV[6], 'accepted_at', NOW)
if from ~= '' then
  routing_event('transferred', c.id, c.queue, t.id, '', { from = from, to = t.id, agent_name = name, by = by },
    '')
  routing_event('accepted', c.id, c.queue, t.id, '',
    { agent_id = t.id, agent_name = name, transfer_from = from, assigned_by = by }, name .. ' joined the chat')
  notice(from, by_name .. ' reassigned your chat with ' .. c.customer .. ' to ' .. name .. '.')
else
  routing_event('accepted', c.id, c.queue, t.id, '',
    { agent_id = t.id, agent_name = name, waited = NOW - c.escalated_at, assigned_by = by },
    name .. ' joined the chat')
end
notice(t.id, by_name .. ' gave you the chat with ' .. c.customer .. '.')
return finish({ status = 'assigned', chat = c.id, from = from, queue = c.queue })
