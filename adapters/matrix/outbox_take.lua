-- Picks a lane's next batch and notes it as in flight, or returns the batch already in flight (a retry),
-- together with the thread's latest bridge post. One round trip, and atomic with the notes it reads.
-- KEYS: lane stream, in-flight key, [the thread's latest-post key]. ARGV: most entries, most bytes of text.
-- A batch is one post, or a run of posts with the same `coalesce` in the same thread whose body and HTML
-- (JSON-encoded bytes) stay under the limit. Returns {rows (id, fields), latest or false, 1 when the batch was
-- already in flight (an attempt may have reached the homeserver) else 0}.
local latest = KEYS[3] and redis.call('GET', KEYS[3]) or false
local flight = redis.call('GET', KEYS[2])
if flight then
  local rows = redis.call('XRANGE', KEYS[1], '-', cjson.decode(flight).last, 'COUNT', ARGV[1])
  if #rows > 0 then
    return {rows, latest, 1}
  end
end
local rows = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', ARGV[1])
if #rows == 0 then
  return {rows, latest, 0}
end
local function size(entry)
  return #cjson.encode(entry.body or '') + #cjson.encode(entry.html or '')
end
local first = cjson.decode(rows[1][2][2])
local taken = {rows[1]}
if (first.coalesce or '') ~= '' then
  local bytes = size(first)
  for i = 2, #rows do
    local entry = cjson.decode(rows[i][2][2])
    bytes = bytes + size(entry)
    if entry.coalesce ~= first.coalesce or (entry.thread or '') ~= (first.thread or '')
        or bytes > tonumber(ARGV[2]) then
      break
    end
    taken[i] = rows[i]
  end
end
redis.call('SET', KEYS[2], cjson.encode({last = taken[#taken][1]}))
return {taken, latest, 0}
