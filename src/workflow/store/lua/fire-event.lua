--[[
  fire-event.lua: an event (name, key) is fired: retain it (when ARGV[3] > 0 seconds) and take every
  waiter of the pair. O(matching waiters): nothing else is read.
  KEYS[1]  the retained event hash   KEYS[2]  the pair's waiter set
  ARGV[1] fire time (ms)  ARGV[2] data JSON  ARGV[3] retention seconds (0: not retained)
  Returns the waiters taken (run id SEP node SEP task id).
]]
if tonumber(ARGV[3]) > 0 then
  redis.call('HSET', KEYS[1], 'at', ARGV[1], 'data', ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
end
local waiters = redis.call('SMEMBERS', KEYS[2])
if #waiters > 0 then redis.call('DEL', KEYS[2]) end
return waiters
