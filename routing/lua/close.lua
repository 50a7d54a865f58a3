-- Ends a chat in any state: withdraws its offers, takes it out of line, frees its CSR's slot.
-- ARGV[3] chat id, ARGV[4] reason, ARGV[5] who closed it, ARGV[6] the outcome its CSR chose ('' for none):
-- kept on the chat and told to its thread (hidden from the customer) just before the chat ends.
local c = chat(ARGV[3])
if not c then return finish({ status = 'missing' }) end
if c.state == 'closed' then return finish({ status = 'already' }) end
local outcome = ARGV[6] or ''
if outcome ~= '' then
  c.outcome = outcome
  redis.call('HSET', K.chat(c.id), 'outcome', outcome)
  local a = agent(ARGV[5])
  chat_event(c.id, 'outcome', 'Outcome: ' .. outcome, { outcome = outcome, by = ARGV[5] },
    { internal = true, author = { kind = 'agent', id = ARGV[5], name = a and a.name or ARGV[5] } })
end
close_chat(c, ARGV[4], ARGV[5])
return finish({ status = 'closed', agent = c.agent_id, queue = c.queue, outcome = outcome })
