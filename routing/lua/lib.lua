-- Routing library: every routing script is this file followed by its own body (routing/scripts.py).
-- ARGV[1] key prefix, ARGV[2] now (seconds); a script's own arguments start at ARGV[3].
-- Key names mirror bridge/keys.py (# routing); tests/routing/test_keys.py checks that they agree.
-- Keys are derived here rather than declared, so routing needs a single Redis (or Sentinel), not Cluster.
-- Work that follows a change (offering chats to freed CSRs) is collected and done once in `finish`.
local P = ARGV[1]
local NOW = tonumber(ARGV[2])
local SLOT = 4398046511104 -- 2^42 ms (year 2109): a timestamp fits below one step of priority or load
local FEED_MAXLEN = 1000000
local CHANGES_MAXLEN = 100000
local NOTICES_MAXLEN = 100000
local SCAN_PAGE = 32
local SETTLED_TTL = 604800 -- answered offers and closed chats' routing fields stay a week for late readers

local K = {}
function K.chat(id) return P .. ':chat:' .. id end
function K.events(id) return P .. ':chat:' .. id .. ':events' end
function K.route(id) return P .. ':chat:' .. id .. ':routing' end
function K.chat_offers(id) return P .. ':chat:' .. id .. ':offers' end
function K.tried(id) return P .. ':chat:' .. id .. ':tried' end
function K.agent(id) return P .. ':agent:' .. id end
function K.agent_queues(id) return P .. ':agent:' .. id .. ':queues' end
function K.agent_left(id) return P .. ':agent:' .. id .. ':left' end
function K.agent_chats(id) return P .. ':agent:' .. id .. ':chats' end
function K.agent_offers(id) return P .. ':agent:' .. id .. ':offers' end
function K.queue(q) return P .. ':queue:' .. q end
function K.waiting(q) return P .. ':queue:' .. q .. ':waiting' end
function K.ready(q) return P .. ':queue:' .. q .. ':ready' end
function K.rr(q) return P .. ':queue:' .. q .. ':rr' end
function K.messages(q) return P .. ':queue:' .. q .. ':messages' end
function K.positions(q) return P .. ':queue:' .. q .. ':positions' end
function K.offer(id) return P .. ':offer:' .. id end
K.open = P .. ':chats:open'
K.agents = P .. ':agents'
K.changes = P .. ':changes'
K.notices = P .. ':notices'
K.offer_seq = P .. ':offers:seq'
K.pending = P .. ':offers:pending'
K.timers = P .. ':routing:timers'
K.feed = P .. ':routing:events'
K.dirty = P .. ':routing:dirty'
K.conf = P .. ':routing:conf'

local OUT = { offers = {}, timers = {} }
local TOUCHED_AGENTS, TOUCHED_QUEUES = {}, {}

local function num(v, default)
  return tonumber(v) or default or 0
end

local function ms(t)
  return math.floor(t * 1000)
end

local function conf_value(field)
  return tonumber(redis.call('HGET', K.conf, field))
end

-- events ---------------------------------------------------------------------------------------

local function changed(entity)
  redis.call('XADD', K.changes, 'MAXLEN', '~', CHANGES_MAXLEN, '*', 'entity', entity)
end

local function feed(kind, chat_id, queue, agent_id, offer_id, data)
  redis.call('XADD', K.feed, 'MAXLEN', '~', FEED_MAXLEN, '*', 'kind', kind, 'chat', chat_id or '',
    'queue', queue or '', 'agent', agent_id or '', 'offer', offer_id or '', 'ts', string.format('%.3f', NOW),
    'data', cjson.encode(data or {}))
end

-- Same layout as bridge/events/append.lua: field `e` holds the ChatEvent JSON.
local function chat_event(chat_id, kind, text, data, extra)
  local e = { chat_id = chat_id, kind = kind, ts = NOW, text = text or '', data = data or {} }
  for k, v in pairs(extra or {}) do e[k] = v end
  redis.call('XADD', K.events(chat_id), '*', 'e', cjson.encode(e))
  changed('chat:' .. chat_id)
end

local function routing_event(kind, chat_id, queue, agent_id, offer_id, data, text)
  chat_event(chat_id, kind, text, data)
  feed(kind, chat_id, queue, agent_id, offer_id, data)
end

local function notice(agent_id, text)
  redis.call('XADD', K.notices, 'MAXLEN', '~', NOTICES_MAXLEN, '*', 'agent', agent_id, 'text', text,
    'ts', string.format('%.3f', NOW))
end

local function add_timer(member, due)
  redis.call('ZADD', K.timers, due, member)
  table.insert(OUT.timers, { member, due })
end

local function drop_timer(member)
  redis.call('ZREM', K.timers, member)
end

-- records -------------------------------------------------------------------------------------

local QUEUES = {}
local function queue_conf(q)
  if q == nil or q == '' then return nil end
  if QUEUES[q] == nil then
    local v = redis.call('HMGET', K.queue(q), 'strategy', 'offer_timeout', 'max_wait', 'overflow', 'target', 'display',
      'message_platform')
    if not v[1] then
      QUEUES[q] = false
    else
      QUEUES[q] = { name = q, strategy = v[1], offer_timeout = num(v[2], 30), max_wait = num(v[3], 600),
        overflow = v[4] or '', target = num(v[5], 60), display = v[6] or q, message_platform = v[7] or '' }
    end
  end
  return QUEUES[q] or nil
end

local AGENTS = {}
local AGENT_FIELDS = { 'presence', 'capacity', 'load', 'pending', 'member', 'last_accept', 'idle_since', 'name' }
local function agent(id)
  if id == nil or id == '' then return nil end
  if AGENTS[id] == nil then
    local v = redis.call('HMGET', K.agent(id), unpack(AGENT_FIELDS))
    if not v[2] then
      AGENTS[id] = false
    else
      AGENTS[id] = { id = id, presence = v[1] or 'offline', capacity = num(v[2]), load = num(v[3]),
        pending = num(v[4]), member = v[5] or '', last_accept = num(v[6]), idle_since = num(v[7]), name = v[8] or id }
    end
  end
  return AGENTS[id] or nil
end

local function agent_set(a, field, value)
  a[field] = value
  redis.call('HSET', K.agent(a.id), field, value)
end

local function agent_add(a, field, delta)
  a[field] = a[field] + delta
  redis.call('HINCRBY', K.agent(a.id), field, delta)
end

local function chat(id)
  local v = redis.call('HMGET', K.chat(id), 'state', 'queue', 'agent_id', 'priority', 'escalated_at', 'accepted_at',
    'customer')
  if not v[1] then return nil end
  local name = ''
  if v[7] then
    local ok, customer = pcall(cjson.decode, v[7])
    if ok and type(customer) == 'table' and customer.name then name = customer.name end
  end
  return { id = id, state = v[1], queue = v[2] or '', agent_id = v[3] or '', priority = num(v[4]),
    escalated_at = num(v[5]), accepted_at = num(v[6]), customer = name }
end

local function route(id)
  local v = redis.call('HMGET', K.route(id), 'seq', 'place', 'note', 'note_by', 'overflow_due')
  return { seq = num(v[1]), place = num(v[2], NOW), note = v[3] or '', note_by = v[4] or '', overflow_due = v[5] == '1' }
end

local OFFER_NUMBERS = { created_at = true, deadline = true, answered_at = true }
local function offer(id)
  local flat = redis.call('HGETALL', K.offer(id))
  if #flat == 0 then return nil end
  local o = {}
  for i = 1, #flat, 2 do
    if OFFER_NUMBERS[flat[i]] then o[flat[i]] = tonumber(flat[i + 1]) else o[flat[i]] = flat[i + 1] end
  end
  return o
end

local function base36(n)
  local digits, out = '0123456789abcdefghijklmnopqrstuvwxyz', ''
  repeat
    local d = n % 36
    out = string.sub(digits, d + 1, d + 1) .. out
    n = math.floor(n / 36)
  until n == 0
  return out
end

-- CSRs: who is ready for which queue ----------------------------------------------------------

local function has_room(a)
  return a.presence == 'available' and a.load + a.pending < a.capacity
end

local function agent_of(member)
  return string.match(member, ':(.*)$')
end

-- Lower scores are offered first; ties go to the earliest available (the member starts with that time).
local function ready_score(a, q, conf)
  if conf.strategy == 'longest-idle' then
    local busy = 0
    if a.pending > 0 then busy = SLOT end
    return busy + ms(a.idle_since)
  elseif conf.strategy == 'round-robin' then
    return num(redis.call('HGET', K.rr(q), a.id))
  end
  return (a.load + a.pending) * SLOT + ms(a.last_accept)
end

-- Keeps the agent in exactly the ready sets of its joined queues while it is available with room.
local function refresh(a)
  local room = has_room(a) and a.member ~= ''
  for _, q in ipairs(redis.call('SMEMBERS', K.agent_queues(a.id))) do
    local conf = queue_conf(q)
    if room and conf then
      redis.call('ZADD', K.ready(q), ready_score(a, q, conf), a.member)
    elseif a.member ~= '' then
      redis.call('ZREM', K.ready(q), a.member)
    end
  end
end

-- Waiting chats: by priority (higher first), then by the time they joined the line ------------

local function wait_score(priority, place)
  return -priority * SLOT + ms(place)
end

local function enqueue(chat_id, q, place, priority)
  redis.call('ZADD', K.waiting(q), wait_score(priority, place), chat_id)
  redis.call('HSET', K.chat(chat_id), 'state', 'waiting', 'queue', q)
  redis.call('HSET', K.route(chat_id), 'place', place)
  redis.call('SADD', K.dirty, q)
  TOUCHED_QUEUES[q] = true
end

local function dequeue(chat_id, q)
  if redis.call('ZREM', K.waiting(q), chat_id) == 1 then redis.call('SADD', K.dirty, q) end
  redis.call('HDEL', K.positions(q), chat_id)
end

local function position(chat_id, q)
  local rank = redis.call('ZRANK', K.waiting(q), chat_id)
  if rank then return rank + 1 end
  return 0
end

-- Expected wait: position times the recent interval between answered chats (EWMA), else the target.
local function estimate(q, pos)
  local conf = queue_conf(q)
  local interval = tonumber(redis.call('HGET', K.queue(q), 'answer_interval')) or conf.target
  return math.floor(pos * interval + 0.5)
end

-- Position and estimate as told to the customer now; the announcer only tells changes after this.
local function placed(chat_id, q)
  local pos = position(chat_id, q)
  redis.call('HSET', K.positions(q), chat_id, pos)
  return pos, estimate(q, pos)
end

local function note_answered(q)
  local last = tonumber(redis.call('HGET', K.queue(q), 'last_answer'))
  if last then
    local gap = math.min(math.max(NOW - last, 0), 3600)
    local old = tonumber(redis.call('HGET', K.queue(q), 'answer_interval')) or gap
    redis.call('HSET', K.queue(q), 'answer_interval', string.format('%.3f', 0.8 * old + 0.2 * gap))
  end
  redis.call('HSET', K.queue(q), 'last_answer', string.format('%.3f', NOW))
end

-- Offers ---------------------------------------------------------------------------------------

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
    local head = redis.call('ZRANGE', K.waiting(q), 0, 15, 'WITHSCORES')
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

-- Chats leaving and re-entering the line ---------------------------------------------------------

local function overflow(chat_id)
  local c, r = chat(chat_id), route(chat_id)
  local conf = queue_conf(c.queue)
  dequeue(chat_id, c.queue)
  drop_timer('wait:' .. chat_id .. ':' .. r.seq)
  redis.call('HDEL', K.route(chat_id), 'overflow_due')
  redis.call('DEL', K.tried(chat_id))
  if conf and conf.overflow ~= '' and queue_conf(conf.overflow) then
    local to = queue_conf(conf.overflow)
    local seq = redis.call('HINCRBY', K.route(chat_id), 'seq', 1)
    enqueue(chat_id, to.name, r.place, c.priority)
    add_timer('wait:' .. chat_id .. ':' .. seq, NOW + to.max_wait)
    local pos, wait = placed(chat_id, to.name)
    routing_event('overflowed', chat_id, to.name, '', '',
      { from = c.queue, to = to.name, position = pos, estimated_wait = wait },
      'We are widening the search to more of our team.')
  else
    -- Shown to CSRs like a chat: delivery opens a thread without an owner in the queue's channel.
    redis.call('HSET', K.chat(chat_id), 'state', 'message', 'platform', (conf and conf.message_platform) or '')
    redis.call('ZADD', K.messages(c.queue), NOW, chat_id)
    routing_event('overflowed', chat_id, c.queue, '', '', { from = c.queue, to = '', message = true },
      'Everyone is busy right now. Leave us a message here and we will get back to you.')
  end
end

-- After a routing offer ends unanswered: back in line at its old place, or on to the overflow queue.
local function offers_ended(chat_id)
  local c = chat(chat_id)
  if not c or c.state ~= 'offered' then return end
  if redis.call('SCARD', K.chat_offers(chat_id)) > 0 then return end
  local r = route(chat_id)
  if r.overflow_due then overflow(chat_id) return end
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
  if presence ~= 'available' then withdraw_agent_offers(a) end
  TOUCHED_AGENTS[a.id] = true
  if old ~= presence then
    feed('presence', '', '', a.id, '', { presence = presence, was = old })
    changed('agent:' .. a.id)
  end
end

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
  redis.call('HSET', K.chat(c.id), 'state', 'closed', 'closed_at', NOW, 'close_reason', reason)
  redis.call('SREM', K.open, c.id)
  redis.call('DEL', K.tried(c.id), K.chat_offers(c.id))
  redis.call('EXPIRE', K.route(c.id), SETTLED_TTL)
  routing_event('closed', c.id, c.queue, c.agent_id, '', { reason = reason, by = by, agent_id = c.agent_id }, '')
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
  if a and a.presence == 'available' and missed >= (conf_value('missed_before_away') or 2) then
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
