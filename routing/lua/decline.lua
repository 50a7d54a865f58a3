-- The CSR says no: the chat goes to the next CSR (a transfer stays with its owner, who is told).
-- ARGV[3] offer id, ARGV[4] agent id
local o, refused = answerable(ARGV[3], ARGV[4])
if not o then return finish(refused) end
settle(o, 'declined')
redis.call('HSET', K.agent(o.agent_id), 'missed', 0)
routing_event('declined', o.chat_id, o.queue, o.agent_id, o.id,
  { offer_id = o.id, agent_id = o.agent_id, transfer_from = o.transfer_from }, '')
offer_unanswered(o, 'declined')
return finish({ status = 'declined', chat = o.chat_id, queue = o.queue, transfer_from = o.transfer_from })
