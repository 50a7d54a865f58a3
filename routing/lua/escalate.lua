-- Puts a chat in its queue's line (by priority, then time) and offers it at once if a CSR has room.
-- Nobody is promised a person who can't come: when no CSR who could take the queue is signed in, the chat
-- goes to the first queue along its overflow chain where one is, or else straight to leaving a message.
-- Outside the queue's business hours the chat goes straight to leaving a message.
-- ARGV[3] chat id, ARGV[4] queue, ARGV[5] effective priority, ARGV[6] 'open' or 'closed', ARGV[7] when it
-- opens next (epoch seconds; '' never)
local chat_id, q, priority = ARGV[3], ARGV[4], tonumber(ARGV[5])
local closed, opens_at = ARGV[6] == 'closed', ARGV[7] or ''
local c = chat(chat_id)
if not c then return finish({ status = 'missing' }) end
if c.state ~= 'bot' and c.state ~= 'message' then return finish({ status = 'already', state = c.state }) end
local conf = queue_conf(q)
if not conf then return finish({ status = 'unknown_queue' }) end
redis.call('ZREM', K.messages(c.queue), chat_id)
drop_timer('unclaimed:' .. chat_id)
redis.call('HSET', K.chat(chat_id), 'escalated_at', NOW, 'priority', priority, 'queue', q)
if closed then
  c.queue = q
  return finish({ status = leave_message(c, 'closed', opens_at) })
end
local to = staffed(q)
if not to then
  c.queue = q
  return finish({ status = leave_message(c, 'nobody_signed_in') })
end
local seq = redis.call('HINCRBY', K.route(chat_id), 'seq', 1)
enqueue(chat_id, to.name, NOW, priority)
add_timer('wait:' .. chat_id .. ':' .. seq, NOW + to.max_wait)
local pos, wait = placed(chat_id, to.name)
routing_event('queued', chat_id, to.name, '', '',
  { queue = to.name, position = pos, estimated_wait = wait, priority = priority }, '')
return finish({ status = 'queued', seq = seq, queue = to.name })
