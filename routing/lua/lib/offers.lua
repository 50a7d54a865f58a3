-- Routing library, part 4: making, settling and dispatching offers.
local function make_offer(chat_id, a, q, transfer_from, note, note_by)
  local conf = queue_conf(q)
  local id = 'of' .. base36(redis.call('INCR', K.offer_seq))
  local deadline = NOW + conf.offer_timeout
  redis.call('HSET', K.offer(id), 'id', id, 'chat_id', chat_id, 'agent_id', a.id, 'queue', q, 'state', 'pending',
    'created_at', NOW, 'deadline', deadline, 'answered_at', 0, 'transfer_from', transfer_from, 'note', note,
    'note_by', note_by)
  redis.call('SADD', K.chat_offers(chat_id), id)
  redis.call('SADD', K.agent_offers(a.id), id)
  redis.call('ZADD', K.pending, deadline, id)
  add_timer('offer:' .. id, deadline)
  if transfer_from == '' then
    redis.call('SADD', K.tried(chat_id), a.id)
    if conf.strategy == 'round-robin' then
      redis.call('HSET', K.rr(q), a.id, redis.call('HINCRBY', K.queue(q), 'rr_seq', 1))
    end
  end
  agent_add(a, 'pending', 1)
  refresh(a)
  routing_event('offered', chat_id, q, a.id, id,
    { offer_id = id, agent_id = a.id, deadline = deadline, transfer_from = transfer_from }, '')
  changed('offer:' .. id)
  table.insert(OUT.offers, { id = id, chat = chat_id, agent = a.id, queue = q, deadline = deadline })
  return id
end

-- pending -> a final state; frees the CSR's reserved slot.
local function settle(o, state, taken_by)
  redis.call('HSET', K.offer(o.id), 'state', state, 'answered_at', NOW, 'taken_by', taken_by or '')
  redis.call('EXPIRE', K.offer(o.id), SETTLED_TTL)
  redis.call('SREM', K.chat_offers(o.chat_id), o.id)
  redis.call('SREM', K.agent_offers(o.agent_id), o.id)
  redis.call('ZREM', K.pending, o.id)
  drop_timer('offer:' .. o.id)
  o.state = state
  local a = agent(o.agent_id)
  if a then
    agent_add(a, 'pending', -1)
    refresh(a)
    TOUCHED_AGENTS[a.id] = true
  end
  changed('offer:' .. o.id)
  if state == 'taken' or state == 'withdrawn' then
    feed(state, o.chat_id, o.queue, o.agent_id, o.id, { offer_id = o.id, taken_by = taken_by or '' })
  end
end

-- Which ready CSRs get the chat: the best one not yet tried, or every untried one for broadcast.
-- Once everyone ready has had a turn, a new round starts.
local function pick(q, conf, chat_id)
  local out, start, seen = {}, 0, 0
  local broadcast = conf.strategy == 'broadcast'
  while true do
    local page = redis.call('ZRANGE', K.ready(q), start, start + SCAN_PAGE - 1)
    if #page == 0 then break end
    for _, member in ipairs(page) do
      local id = agent_of(member)
      if redis.call('SISMEMBER', K.tried(chat_id), id) == 0 then
        table.insert(out, id)
        if not broadcast then return out end
      end
    end
    seen = seen + #page
    start = start + SCAN_PAGE
  end
  if #out == 0 and seen > 0 then
    redis.call('DEL', K.tried(chat_id))
    local first = redis.call('ZRANGE', K.ready(q), 0, broadcast and -1 or 0)
    for _, member in ipairs(first) do table.insert(out, agent_of(member)) end
  end
  return out
end

local function offer_chat(chat_id, q, agent_ids)
  local r = route(chat_id)
  dequeue(chat_id, q)
  redis.call('HSET', K.chat(chat_id), 'state', 'offered')
  for _, id in ipairs(agent_ids) do
    make_offer(chat_id, agent(id), q, '', r.note, r.note_by)
  end
end

local function dispatch_queue(q)
  local conf = queue_conf(q)
  if not conf then return end
  while true do
    local head = redis.call('ZRANGE', K.waiting(q), 0, 0)
    if #head == 0 then return end
    local ids = pick(q, conf, head[1])
    if #ids == 0 then return end
    offer_chat(head[1], q, ids)
  end
end

-- The oldest highest-priority chat this CSR has not been offered yet, over all its queues.
local function best_chat_for(a)
  local best, best_score, best_q
  for _, q in ipairs(redis.call('SMEMBERS', K.agent_queues(a.id))) do
    local head = {}
    if queue_conf(q) then head = redis.call('ZRANGE', K.waiting(q), 0, 15, 'WITHSCORES') end
    for i = 1, #head, 2 do
      if redis.call('SISMEMBER', K.tried(head[i]), a.id) == 0 then
        local s = tonumber(head[i + 1])
        if best == nil or s < best_score then best, best_score, best_q = head[i], s, q end
        break
      end
    end
  end
  return best, best_q
end

local function dispatch_agent(id)
  local a = agent(id)
  if not a then return end
  while has_room(a) do
    local chat_id, q = best_chat_for(a)
    if not chat_id then break end
    local conf = queue_conf(q)
    local ids = { a.id }
    if conf.strategy == 'broadcast' then ids = pick(q, conf, chat_id) end
    if #ids == 0 then break end
    offer_chat(chat_id, q, ids)
  end
  for _, q in ipairs(redis.call('SMEMBERS', K.agent_queues(a.id))) do dispatch_queue(q) end
end
