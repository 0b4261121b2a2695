--[[
  trigger-update.lua: compare-and-set a trigger instance: replace it when its status is one of
  the allowed ones (the status field is the authority; the record JSON is rewritten with it).
  KEYS[1]  the session hash
  ARGV[1] instance id  ARGV[2] new status  ARGV[3] new record JSON  ARGV[4] allowed statuses, comma-separated
  Returns 1 when replaced, 0 otherwise.
]]
local current = redis.call('HGET', KEYS[1], 's:' .. ARGV[1])
if not current then return 0 end
if string.find(',' .. ARGV[4] .. ',', ',' .. current .. ',', 1, true) == nil then return 0 end
redis.call('HSET', KEYS[1], 's:' .. ARGV[1], ARGV[2], 'i:' .. ARGV[1], ARGV[3])
return 1
