-- An offer's deadline: does nothing when the offer was answered or withdrawn meanwhile.
-- ARGV[3] offer id
local o = offer(ARGV[3])
if not o or o.state ~= 'pending' then
  drop_timer('offer:' .. ARGV[3])
  return finish({ status = 'stale' })
end
if NOW < o.deadline then return finish({ status = 'early', due = o.deadline }) end
expire_offer(o)
return finish({ status = 'expired', chat = o.chat_id, queue = o.queue, agent = o.agent_id })
