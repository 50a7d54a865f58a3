-- available | away | offline. Away and offline withdraw the CSR's unanswered offers.
-- ARGV[3] agent id, ARGV[4] presence
local a = agent(ARGV[3])
if not a then return finish({ status = 'unknown' }) end
local was = a.presence
set_presence(a, ARGV[4])
return finish({ status = 'ok', was = was })
