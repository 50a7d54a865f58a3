-- Tells waiting customers their position and estimated wait, for one page of a queue's line, where it
-- changed enough to matter: every step near the front, about a tenth of the way further back.
-- A queue nobody who could take it is signed in for no longer keeps a line: its chats move on instead.
-- ARGV[3] queue, ARGV[4] rank of the page's first chat (0-based), ARGV[5] page size
local q, first, size = ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
if not queue_conf(q) then return finish({ status = 'unknown_queue', seen = 0, announced = 0 }) end
if not could_come(q) then
  -- The last CSR who could take the queue signed off: its line moves on (overflow chain, else a message),
  -- from the front, one page per call.
  local page = redis.call('ZRANGE', K.waiting(q), 0, size - 1)
  for _, chat_id in ipairs(page) do overflow(chat_id, 'nobody_signed_in') end
  return finish({ status = 'moved', seen = #page, announced = 0 })
end
local page = redis.call('ZRANGE', K.waiting(q), first, first + size - 1)
local announced = 0
for i, chat_id in ipairs(page) do
  local pos = first + i
  local last = tonumber(redis.call('HGET', K.positions(q), chat_id))
  if not last or (pos ~= last and (pos <= 10 or pos <= last * 0.9 or pos >= last * 1.1)) then
    redis.call('HSET', K.positions(q), chat_id, pos)
    chat_event(chat_id, 'position', '', { queue = q, position = pos, estimated_wait = estimate(q, pos) })
    announced = announced + 1
  end
end
return finish({ status = 'ok', seen = #page, announced = announced })
