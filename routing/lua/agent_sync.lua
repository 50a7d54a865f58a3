-- Creates or updates a CSR's record from the roster. Joined queues are the allowed ones minus those the
-- CSR left with `csr leave`.
-- ARGV[3] agent id, ARGV[4] display name, ARGV[5] capacity, ARGV[6] JSON list of queues they may take
local id = ARGV[3]
local allowed = {}
for _, q in ipairs(cjson.decode(ARGV[6])) do allowed[q] = true end
if redis.call('EXISTS', K.agent(id)) == 0 then
  redis.call('HSET', K.agent(id), 'presence', 'offline', 'load', 0, 'pending', 0, 'missed', 0, 'idle_since', NOW,
    'last_accept', 0, 'member', '')
end
redis.call('HSET', K.agent(id), 'name', ARGV[4], 'capacity', ARGV[5])
redis.call('SADD', K.agents, id)
local a = agent(id)
for _, q in ipairs(redis.call('SMEMBERS', K.agent_queues(id))) do
  if not allowed[q] then
    redis.call('SREM', K.agent_queues(id), q)
    if a.member ~= '' then redis.call('ZREM', K.ready(q), a.member) end
    signed_out(id, q)
  end
end
for _, q in ipairs(redis.call('SMEMBERS', K.agent_left(id))) do
  if not allowed[q] then redis.call('SREM', K.agent_left(id), q) end
end
for q in pairs(allowed) do
  if redis.call('SISMEMBER', K.agent_left(id), q) == 0 then redis.call('SADD', K.agent_queues(id), q) end
end
refresh(a)
sync_signed_in(a)
TOUCHED_AGENTS[id] = true
return finish({ status = 'ok' })
