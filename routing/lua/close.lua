-- Ends a chat in any state: withdraws its offers, takes it out of line, frees its CSR's slot.
-- ARGV[3] chat id, ARGV[4] reason, ARGV[5] who closed it
local c = chat(ARGV[3])
if not c then return finish({ status = 'missing' }) end
if c.state == 'closed' then return finish({ status = 'already' }) end
close_chat(c, ARGV[4], ARGV[5])
return finish({ status = 'closed', agent = c.agent_id })
