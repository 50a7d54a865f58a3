-- Adds and removes tags of an open chat atomically, so two CSRs tagging at once never lose a tag or pass the
-- limit, and counts each tag added per queue for /metrics (csr_chat_tags_total).
-- KEYS[1] chat hash, KEYS[2] tag counts hash ("queue|tag" -> count)
-- ARGV[1] JSON list of tags to add, ARGV[2] JSON list of tags to remove (both normalised), ARGV[3] the limit
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return cjson.encode({ status = 'missing' }) end
if state == 'closed' then return cjson.encode({ status = 'closed' }) end
local raw = redis.call('HGET', KEYS[1], 'tags')
local tags = {}
if raw and raw ~= '' then
  local ok, decoded = pcall(cjson.decode, raw)
  if ok and type(decoded) == 'table' then tags = decoded end
end
local has = {}
for _, t in ipairs(tags) do has[t] = true end
local removed, kept = {}, {}
local drop = {}
for _, t in ipairs(cjson.decode(ARGV[2])) do drop[t] = true end
for _, t in ipairs(tags) do
  if drop[t] then table.insert(removed, t) else table.insert(kept, t) end
end
local added = {}
for _, t in ipairs(cjson.decode(ARGV[1])) do
  if not has[t] and not drop[t] then
    table.insert(added, t)
    table.insert(kept, t)
    has[t] = true
  end
end
if #added > 0 and #kept > tonumber(ARGV[3]) then
  return cjson.encode({ status = 'full', tags = tags })
end
if #added == 0 and #removed == 0 then
  return cjson.encode({ status = 'unchanged', tags = tags })
end
redis.call('HSET', KEYS[1], 'tags', cjson.encode(kept))
local queue = redis.call('HGET', KEYS[1], 'queue') or ''
for _, t in ipairs(added) do redis.call('HINCRBY', KEYS[2], queue .. '|' .. t, 1) end
return cjson.encode({ status = 'changed', added = added, removed = removed, tags = kept })
