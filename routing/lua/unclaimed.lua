-- A left message nobody claimed within its queue's target: tell the queue's supervisors, once.
-- ARGV[3] chat id, ARGV[4] JSON list of the supervisors' agent ids
local member = 'unclaimed:' .. ARGV[3]
local due = tonumber(redis.call('ZSCORE', K.timers, member))
if due and NOW < due then return finish({ status = 'early', due = due }) end
drop_timer(member)
local c = chat(ARGV[3])
if not c or c.state ~= 'message' then return finish({ status = 'stale' }) end
if redis.call('HSETNX', K.route(c.id), 'unclaimed_alerted', NOW) == 0 then return finish({ status = 'stale' }) end
local conf = queue_conf(c.queue)
local r = route(c.id)
local waited = math.floor((NOW - (r.message_at or NOW)) / 60 + 0.5)
local text = 'A message from ' .. c.customer .. ' in ' .. ((conf and conf.display) or c.queue) .. ' has waited ' ..
  waited .. ' min and nobody has claimed it. Claim it with `csr claim ' .. c.id .. '` or the Claim button in its thread.'
local told = {}
for _, id in ipairs(cjson.decode(ARGV[4])) do
  notice(id, text)
  table.insert(told, id)
end
feed('unclaimed', c.id, c.queue, '', '', { waited = NOW - (r.message_at or NOW) })
return finish({ status = 'alerted', told = told })
