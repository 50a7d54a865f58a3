-- `csr join` / `csr leave` at runtime (the caller checked that the roster allows the queue).
-- ARGV[3] agent id, ARGV[4] queue, ARGV[5] join | leave
local a, q = agent(ARGV[3]), ARGV[4]
if not a then return finish({ status = 'unknown' }) end
if ARGV[5] == 'join' then
  redis.call('SREM', K.agent_left(a.id), q)
  redis.call('SADD', K.agent_queues(a.id), q)
  refresh(a)
  sync_signed_in(a)
  TOUCHED_AGENTS[a.id] = true
else
  redis.call('SADD', K.agent_left(a.id), q)
  redis.call('SREM', K.agent_queues(a.id), q)
  if a.member ~= '' then redis.call('ZREM', K.ready(q), a.member) end
  signed_out(a.id, q)
end
feed(ARGV[5], '', q, a.id, '', {})
changed('agent:' .. a.id)
return finish({ status = 'ok' })
