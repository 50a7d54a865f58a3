-- Routing library, part 2: reading and changing the records (queues, CSRs, chats, offers).
local QUEUES = {}
local function queue_conf(q)
  if q == nil or q == '' then return nil end
  if QUEUES[q] == nil then
    local v = redis.call('HMGET', K.queue(q), 'strategy', 'offer_timeout', 'max_wait', 'overflow', 'target', 'display',
      'message_platform', 'unclaimed_alert')
    if not v[1] then
      QUEUES[q] = false
    else
      QUEUES[q] = { name = q, strategy = v[1], offer_timeout = setting(v[2], 'offer_timeout'),
        max_wait = setting(v[3], 'max_wait'),
        overflow = v[4] or '', target = setting(v[5], 'target'), display = v[6] or q, message_platform = v[7] or '',
        unclaimed_alert = tonumber(v[8]) or 3600 }
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
    'customer', 'created_at', 'outcome')
  if not v[1] then return nil end
  local name = ''
  if v[7] then
    local ok, customer = pcall(cjson.decode, v[7])
    if ok and type(customer) == 'table' and customer.name then name = customer.name end
  end
  return { id = id, state = v[1], queue = v[2] or '', agent_id = v[3] or '', priority = num(v[4]),
    escalated_at = num(v[5]), accepted_at = num(v[6]), customer = name, created_at = num(v[8]), outcome = v[9] or '' }
end

local function route(id)
  local v = redis.call('HMGET', K.route(id), 'seq', 'place', 'note', 'note_by', 'overflow_due', 'message_at')
  return { seq = num(v[1]), place = num(v[2], NOW), note = v[3] or '', note_by = v[4] or '', overflow_due = v[5] == '1',
    message_at = tonumber(v[6]) }
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
