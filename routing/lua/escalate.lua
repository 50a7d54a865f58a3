-- Puts a chat in its queue's line (by priority, then time) and offers it at once if a CSR has room.
-- ARGV[3] chat id, ARGV[4] queue, ARGV[5] effective priority
local chat_id, q, priority = ARGV[3], ARGV[4], tonumber(ARGV[5])
local c = chat(chat_id)
if not c then return finish({ status = 'missing' }) end
if c.state ~= 'bot' and c.state ~= 'message' then return finish({ status = 'already', state = c.state }) end
local conf = queue_conf(q)
if not conf then return finish({ status = 'unknown_queue' }) end
redis.call('ZREM', K.messages(c.queue), chat_id)
redis.call('HSET', K.chat(chat_id), 'escalated_at', NOW, 'priority', priority)
local seq = redis.call('HINCRBY', K.route(chat_id), 'seq', 1)
enqueue(chat_id, q, NOW, priority)
add_timer('wait:' .. chat_id .. ':' .. seq, NOW + conf.max_wait)
local pos, wait = placed(chat_id, q)
routing_event('queued', chat_id, q, '', '', { queue = q, position = pos, estimated_wait = wait, priority = priority }, '')
return finish({ status = 'queued', seq = seq })
