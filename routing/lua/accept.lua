-- Accept is atomic: the first accept of a pending offer wins; every other offer of the chat is taken.
-- ARGV[3] offer id, ARGV[4] agent id, ARGV[5] platform accepted on, ARGV[6] agent display name
local o, refused = answerable(ARGV[3], ARGV[4])
if not o then return finish(refused) end
local a, c = agent(ARGV[4]), chat(o.chat_id)
local platform, name = ARGV[5], ARGV[6]
if o.transfer_from ~= '' then
  if not c or c.state ~= 'active' or c.agent_id ~= o.transfer_from then
    settle(o, 'withdrawn')
    return finish({ status = 'withdrawn', chat = o.chat_id })
  end
  settle(o, 'accepted')
  release(c)
  take(a, c.id)
  redis.call('HSET', K.chat(c.id), 'agent_id', a.id, 'platform', platform, 'accepted_at', NOW)
  note_event(c.id, o.note, o.note_by)
  routing_event('transferred', c.id, c.queue, a.id, o.id, { from = o.transfer_from, to = a.id, agent_name = name }, '')
  routing_event('accepted', c.id, c.queue, a.id, o.id,
    { agent_id = a.id, agent_name = name, offer_id = o.id, transfer_from = o.transfer_from }, name .. ' joined the chat')
  notice(o.transfer_from, name .. ' took over the chat with ' .. c.customer .. '.')
  return finish({ status = 'accepted', chat = c.id, queue = c.queue, transfer_from = o.transfer_from })
end
if not c or c.state ~= 'offered' then
  settle(o, 'withdrawn')
  return finish({ status = 'withdrawn', chat = o.chat_id })
end
settle(o, 'accepted')
for _, oid in ipairs(redis.call('SMEMBERS', K.chat_offers(c.id))) do
  local other = offer(oid)
  if other and other.state == 'pending' then settle(other, 'taken', a.id) end
end
local r = route(c.id)
take(a, c.id)
redis.call('HSET', K.chat(c.id), 'state', 'active', 'agent_id', a.id, 'platform', platform, 'accepted_at', NOW)
redis.call('DEL', K.tried(c.id), K.chat_offers(c.id))
redis.call('HDEL', K.route(c.id), 'note', 'note_by', 'overflow_due')
drop_timer('wait:' .. c.id .. ':' .. r.seq)
add_timer('idle:' .. c.id, NOW + conf_value('idle_timeout'))
note_answered(c.queue)
note_event(c.id, r.note, r.note_by)
local waited = NOW - c.escalated_at
routing_event('accepted', c.id, c.queue, a.id, o.id,
  { agent_id = a.id, agent_name = name, offer_id = o.id, waited = waited }, name .. ' joined the chat')
return finish({ status = 'accepted', chat = c.id, waited = waited, queue = c.queue })
