-- Routing library, part 1 of 5 (routing/scripts.py joins lib/*.lua in LIBRARY order, then a script body).
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
local RECENT_ANSWERS = 3600 -- a wait is estimated only from answers in the queue within this many seconds

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
function K.signed_in(q) return P .. ':queue:' .. q .. ':signed-in' end
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
K.ended = P .. ':metrics:ended'

-- Queue settings come from the config (routing/settings.py); without them (a Redis that lost its data)
-- nothing is changed and the caller writes them again.
if redis.call('EXISTS', K.conf) == 0 then return cjson.encode({ status = 'no_settings' }) end

local OUT = { offers = {}, timers = {} }
local TOUCHED_AGENTS, TOUCHED_QUEUES = {}, {}

local function num(v, default)
  return tonumber(v) or default or 0
end

local function ms(t)
  return math.floor(t * 1000)
end

-- Every setting is written by routing/settings.py, with the config's defaults filled in: the scripts keep no
-- defaults of their own, and a missing one is an error that names it rather than a guess.
local function setting(v, name)
  local n = tonumber(v)
  if n == nil then error('routing setting ' .. name .. ' is missing: routing/settings.py writes it') end
  return n
end

local function conf_value(field)
  return setting(redis.call('HGET', K.conf, field), field)
end

-- events ---------------------------------------------------------------------------------------

local function changed(entity, event_id)
  if event_id then
    redis.call('XADD', K.changes, 'MAXLEN', '~', CHANGES_MAXLEN, '*', 'entity', entity, 'event', event_id)
  else
    redis.call('XADD', K.changes, 'MAXLEN', '~', CHANGES_MAXLEN, '*', 'entity', entity)
  end
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
  changed('chat:' .. chat_id, redis.call('XADD', K.events(chat_id), '*', 'e', cjson.encode(e)))
  if redis.call('HGET', K.chat(chat_id), 'state') == 'closed' then changed('closed:' .. chat_id) end
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
