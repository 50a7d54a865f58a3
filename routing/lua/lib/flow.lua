-- Routing library, part 5: chats re-entering the line, presence, ownership, answers, `finish`.
-- An owned chat leaves its CSR (close, transfer): the slot is free again.
local function release(c)
  local a = agent(c.agent_id)
  if not a then return end
  if redis.call('SREM', K.agent_chats(a.id), c.id) == 1 then
    agent_add(a, 'load', -1)
    agent_set(a, 'idle_since', NOW)
    refresh(a)
    TOUCHED_AGENTS[a.id] = true
  end
end

local function close_chat(c, reason, by)
  for _, oid in ipairs(redis.call('SMEMBERS', K.chat_offers(c.id))) do
    local o = offer(oid)
    if o and o.state == 'pending' then settle(o, 'withdrawn') end
  end
  dequeue(c.id, c.queue)
  redis.call('ZREM', K.messages(c.queue), c.id)
  if c.state == 'active' then release(c) end
  local r = route(c.id)
  drop_timer('wait:' .. c.id .. ':' .. r.seq)
  drop_timer('idle:' .. c.id)
  drop_timer('unclaimed:' .. c.id)
  redis.call('HSET', K.chat(c.id), 'state', 'closed', 'closed_at', NOW, 'close_reason', reason)
  redis.call('SREM', K.open, c.id)
  redis.call('DEL', K.tried(c.id), K.chat_offers(c.id))
  redis.call('EXPIRE', K.route(c.id), SETTLED_TTL)
  routing_event('closed', c.id, c.queue, c.agent_id, '', { reason = reason, by = by, agent_id = c.agent_id }, '')
  local outcome = c.outcome
  if outcome == '' then outcome = 'none' end -- bridge.domain.tags.NO_OUTCOME
  redis.call('HINCRBY', K.ended, c.queue .. '|' .. outcome, 1)
end

-- Nobody can come: the customer may leave a message, shown to CSRs as an ownerless thread in the queue's
-- channel or room. With no platform to show it on, the chat ends at once and the customer is told why.
-- `opens_at` (closed outside business hours): when the queue opens again, '' when it never does.
local function leave_message(c, reason, opens_at)
  local conf = queue_conf(c.queue)
  if not conf or conf.message_platform == '' then
    close_chat(c, 'unavailable', 'system')
    return 'unavailable'
  end
  redis.call('HSET', K.chat(c.id), 'state', 'message', 'platform', conf.message_platform)
  redis.call('ZADD', K.messages(c.queue), NOW, c.id)
  redis.call('HSET', K.route(c.id), 'message_at', NOW)
  add_timer('idle:' .. c.id, NOW + conf_value('idle_timeout'))
  add_timer('unclaimed:' .. c.id, NOW + conf.unclaimed_alert)
  local why = 'Nobody answered in time'
  if reason == 'nobody_signed_in' then why = 'Nobody who could take the chat is signed in' end
  if reason == 'closed' then why = 'The queue is closed (business hours)' end
  local data = { from = c.queue, to = '', message = true, reason = reason }
  if opens_at and opens_at ~= '' then data.opens_at = tonumber(opens_at) end
  routing_event('overflowed', c.id, c.queue, '', '', data, why .. '; the customer may leave a message here.')
  return 'message'
end

-- After max wait (reason max_wait), or when nobody who could come is left (nobody_signed_in): on to the first
-- queue along the overflow chain where someone is signed in, keeping the chat's place in time; else a message.
local function overflow(chat_id, reason)
  local c, r = chat(chat_id), route(chat_id)
  local conf = queue_conf(c.queue)
  dequeue(chat_id, c.queue)
  drop_timer('wait:' .. chat_id .. ':' .. r.seq)
  redis.call('HDEL', K.route(chat_id), 'overflow_due')
  redis.call('DEL', K.tried(chat_id))
  local to = conf and staffed(conf.overflow)
  if not to or to.name == c.queue then return leave_message(c, reason) end
  local seq = redis.call('HINCRBY', K.route(chat_id), 'seq', 1)
  enqueue(chat_id, to.name, r.place, c.priority)
  add_timer('wait:' .. chat_id .. ':' .. seq, NOW + to.max_wait)
  local pos, wait = placed(chat_id, to.name)
  local why = 'Nobody answered in ' .. conf.display .. ' in time'
  if reason == 'nobody_signed_in' then why = 'Nobody is signed in for ' .. conf.display end
  routing_event('overflowed', chat_id, to.name, '', '',
    { from = c.queue, to = to.name, position = pos, estimated_wait = wait, reason = reason },
    why .. '; moved to ' .. to.display .. '.')
  return 'overflowed'
end

-- After a routing offer ends unanswered: back in line at its old place, or on to the overflow queue.
local function offers_ended(chat_id)
  local c = chat(chat_id)
  if not c or c.state ~= 'offered' then return end
  if redis.call('SCARD', K.chat_offers(chat_id)) > 0 then return end
  local r = route(chat_id)
  if r.overflow_due then overflow(chat_id, 'max_wait') return end
  enqueue(chat_id, c.queue, r.place, c.priority)
end

local function transfer_failed(o, why)
  local c = chat(o.chat_id)
  local to = agent(o.agent_id)
  local name = (to and to.name) or o.agent_id
  if c and c.state == 'active' and c.agent_id == o.transfer_from then
    local verb = ({ declined = 'declined', missed = 'did not answer', withdrawn = 'is no longer available for' })[why]
    notice(o.transfer_from, name .. ' ' .. verb .. ' your transfer of the chat with ' .. c.customer ..
      '; the chat stays with you.')
  end
end

-- A routing offer or a transfer offer ended without an accept.
local function offer_unanswered(o, why)
  if o.transfer_from ~= '' then transfer_failed(o, why) else offers_ended(o.chat_id) end
end

local function withdraw_agent_offers(a)
  for _, oid in ipairs(redis.call('SMEMBERS', K.agent_offers(a.id))) do
    local o = offer(oid)
    if o and o.state == 'pending' then
      settle(o, 'withdrawn')
      offer_unanswered(o, 'withdrawn')
    end
  end
end

local function set_presence(a, presence)
  local old = a.presence
  if presence == 'available' and old ~= 'available' then
    for _, q in ipairs(redis.call('SMEMBERS', K.agent_queues(a.id))) do
      redis.call('ZREM', K.ready(q), a.member)
    end
    agent_set(a, 'member', string.format('%015.0f:%s', ms(NOW), a.id))
    agent_set(a, 'available_since', NOW)
    agent_set(a, 'idle_since', NOW)
    agent_set(a, 'missed', 0)
  end
  agent_set(a, 'presence', presence)
  refresh(a)
  sync_signed_in(a)
  if presence ~= 'available' then withdraw_agent_offers(a) end
  TOUCHED_AGENTS[a.id] = true
  if old ~= presence then
    agent_set(a, 'presence_since', NOW)
    feed('presence', '', '', a.id, '', { presence = presence, was = old })
    changed('agent:' .. a.id)
  end
end

-- A CSR takes an owned chat: one more open chat, a fresh last-accept time.
local function take(a, chat_id)
  redis.call('SADD', K.agent_chats(a.id), chat_id)
  agent_add(a, 'load', 1)
  agent_set(a, 'last_accept', NOW)
  agent_set(a, 'idle_since', NOW)
  agent_set(a, 'missed', 0)
  refresh(a)
end

-- The note a transfer carried, as an internal event the receiving CSR reads with the history.
local function note_event(chat_id, note, by)
  if note == '' then return end
  local author = agent(by)
  chat_event(chat_id, 'note', note, { transfer = true },
    { internal = true, author = { kind = 'agent', id = by, name = (author and author.name) or by } })
end

local function expire_offer(o)
  settle(o, 'expired')
  local a = agent(o.agent_id)
  local missed = redis.call('HINCRBY', K.agent(o.agent_id), 'missed', 1)
  routing_event('missed', o.chat_id, o.queue, o.agent_id, o.id,
    { offer_id = o.id, agent_id = o.agent_id, missed = missed, transfer_from = o.transfer_from }, '')
  if a and a.presence == 'available' and missed >= conf_value('missed_before_away') then
    set_presence(a, 'away')
    notice(a.id, 'You were set away after ' .. missed .. ' missed offers in a row, so no more chats come to you. ' ..
      'Send `csr available` when you are back.')
  end
  offer_unanswered(o, 'missed')
end

-- Checks shared by accept and decline: the offer exists, is the caller's and still open.
local function answerable(offer_id, agent_id)
  local o = offer(offer_id)
  if not o then return nil, { status = 'missing' } end
  if o.agent_id ~= agent_id then return nil, { status = 'not_yours' } end
  if o.state ~= 'pending' then
    return nil, { status = 'final', state = o.state, chat = o.chat_id, taken_by = o.taken_by or '',
      transfer_from = o.transfer_from }
  end
  if NOW > o.deadline then
    expire_offer(o)
    return nil, { status = 'expired', chat = o.chat_id, transfer_from = o.transfer_from }
  end
  return o, nil
end

-- Does the follow-up work once, returns the script's answer with the offers and timers it made.
local function finish(result)
  local agents, queues = {}, {}
  for id in pairs(TOUCHED_AGENTS) do table.insert(agents, id) end
  for q in pairs(TOUCHED_QUEUES) do table.insert(queues, q) end
  table.sort(agents)
  table.sort(queues)
  for _, id in ipairs(agents) do dispatch_agent(id) end
  for _, q in ipairs(queues) do dispatch_queue(q) end
  result.offers = OUT.offers
  result.timers = OUT.timers
  return cjson.encode(result)
end
