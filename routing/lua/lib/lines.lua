-- Routing library, part 3: who is ready for which queue, and the line of waiting chats.
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

-- Expected wait: position times the interval between answered chats (EWMA), only while it comes from
-- answers in this queue within the last RECENT_ANSWERS seconds; else nil (the customer sees the position alone).
local function estimate(q, pos)
  local v = redis.call('HMGET', K.queue(q), 'answer_interval', 'last_answer')
  local interval, last = tonumber(v[1]), tonumber(v[2])
  if not interval or not last or NOW - last > RECENT_ANSWERS then return nil end
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

-- Who could come: CSRs who joined a queue and are signed in (available or away) --------------

-- A queue that loses its last signed-in CSR is marked dirty: the announcer moves its waiting chats on.
local function signed_out(agent_id, q)
  if redis.call('SREM', K.signed_in(q), agent_id) == 1 and redis.call('SCARD', K.signed_in(q)) == 0 then
    redis.call('SADD', K.dirty, q)
  end
end

local function sync_signed_in(a)
  for _, q in ipairs(redis.call('SMEMBERS', K.agent_queues(a.id))) do
    if a.presence ~= 'offline' then redis.call('SADD', K.signed_in(q), a.id) else signed_out(a.id, q) end
  end
end

local function could_come(q)
  return redis.call('SCARD', K.signed_in(q)) > 0
end

-- The first queue from q along its overflow chain where someone signed in could come, or nil.
local function staffed(q)
  local conf, seen = queue_conf(q), {}
  while conf and not seen[conf.name] do
    if could_come(conf.name) then return conf end
    seen[conf.name] = true
    conf = queue_conf(conf.overflow)
  end
  return nil
end
