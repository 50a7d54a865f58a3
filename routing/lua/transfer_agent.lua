-- Offers an active chat to one CSR; it stays with its owner until they accept.
-- ARGV[3] chat id, ARGV[4] owner the caller saw, ARGV[5] target agent id, ARGV[6] note, ARGV[7] who transfers
local c = chat(ARGV[3])
if not c or c.state ~= 'active' or c.agent_id ~= ARGV[4] then return finish({ status = 'not_active' }) end
if redis.call('SCARD', K.chat_offers(c.id)) > 0 then return finish({ status = 'pending' }) end
local t = agent(ARGV[5])
if not t then return finish({ status = 'unavailable', presence = 'offline' }) end
if t.id == c.agent_id then return finish({ status = 'self' }) end
if t.presence ~= 'available' then return finish({ status = 'unavailable', presence = t.presence }) end
if not has_room(t) then return finish({ status = 'full' }) end
local id = make_offer(c.id, t, c.queue, c.agent_id, ARGV[6], ARGV[7])
return finish({ status = 'offered', offer = id })
