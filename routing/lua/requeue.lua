-- A supervisor moves a waiting or offered chat to another queue's line; it keeps its place in time.
-- (An active chat goes back to routing through transfer_queue.)
-- ARGV[3] chat id, ARGV[4] queue, ARGV[5] supervisor id
local c = chat(ARGV[3])
if not c then return finish({ status = 'missing' }) end
if c.state ~= 'waiting' and c.state ~= 'offered' then return finish({ status = 'moved_on', state = c.state }) end
local to = queue_conf(ARGV[4])
if not to then return finish({ status = 'unknown_queue' }) end
if to.name == c.queue then return finish({ status = 'same_queue' }) end
if not could_come(to.name) then return finish({ status = 'nobody_signed_in' }) end
for _, oid in ipairs(redis.call('SMEMBERS', K.chat_offers(c.id))) do
  local o = offer(oid)
  if o and o.state == 'pending' then settle(o, 'withdrawn') end
end
local r = route(c.id)
dequeue(c.id, c.queue)
drop_timer('wait:' .. c.id .. ':' .. r.seq)
redis.call('DEL', K.tried(c.id), K.chat_offers(c.id))
redis.call('HDEL', K.route(c.id), 'overflow_due')
local seq = redis.call('HINCRBY', K.route(c.id), 'seq', 1)
routing_event('transferred', c.id, to.name, '', '', { from_queue = c.queue, to_queue = to.name, by = ARGV[5] },
  'Transferring you to ' .. to.display .. '.')
enqueue(c.id, to.name, r.place, c.priority)
add_timer('wait:' .. c.id .. ':' .. seq, NOW + to.max_wait)
local pos, wait = placed(c.id, to.name)
routing_event('queued', c.id, to.name, '', '',
  { queue = to.name, position = pos, estimated_wait = wait, priority = c.priority }, '')
return finish({ status = 'queued', seq = seq })
