-- Puts an active chat back into routing for a queue; the CSR who had it gets it last.
-- ARGV[3] chat id, ARGV[4] owner the caller saw, ARGV[5] queue, ARGV[6] note, ARGV[7] who transfers
local c = chat(ARGV[3])
if not c or c.state ~= 'active' or c.agent_id ~= ARGV[4] then return finish({ status = 'not_active' }) end
local conf = queue_conf(ARGV[5])
if not conf then return finish({ status = 'unknown_queue' }) end
if not could_come(conf.name) then return finish({ status = 'nobody_signed_in' }) end
for _, oid in ipairs(redis.call('SMEMBERS', K.chat_offers(c.id))) do
  local o = offer(oid)
  if o and o.state == 'pending' then settle(o, 'withdrawn') end
end
release(c)
drop_timer('idle:' .. c.id)
local seq = redis.call('HINCRBY', K.route(c.id), 'seq', 1)
redis.call('HSET', K.route(c.id), 'note', ARGV[6], 'note_by', ARGV[7])
redis.call('DEL', K.tried(c.id))
redis.call('SADD', K.tried(c.id), c.agent_id)
redis.call('HSET', K.chat(c.id), 'agent_id', '', 'platform', '', 'escalated_at', NOW)
routing_event('transferred', c.id, conf.name, c.agent_id, '', { from = c.agent_id, to_queue = conf.name, by = ARGV[7] },
  'Transferring you to ' .. conf.display .. '.')
enqueue(c.id, conf.name, NOW, c.priority)
add_timer('wait:' .. c.id .. ':' .. seq, NOW + conf.max_wait)
local pos, wait = placed(c.id, conf.name)
routing_event('queued', c.id, conf.name, '', '',
  { queue = conf.name, position = pos, estimated_wait = wait, priority = c.priority }, '')
return finish({ status = 'queued', seq = seq })
