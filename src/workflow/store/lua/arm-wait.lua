--[[
  arm-wait.lua: a wait node starts waiting for (event name, key). If an event retained for that
  pair was fired at or after ARGV[1], return it (nothing is registered); otherwise add the waiter
  to the pair's set, so the next fire takes it. Atomic with fire-event.lua: no lost wake-up.
  KEYS[1]  the retained event hash (fields at, data)   KEYS[2]  the pair's waiter set
  ARGV[1] earliest fire time that counts (ms)  ARGV[2] waiter (run id SEP node SEP task id)
  ARGV[3] expiry seconds of the waiter set (0: none)
  Returns {at, data JSON} when a retained event completes the wait, else {}.
]]
local at = redis.call('HGET', KEYS[1], 'at')
if at and tonumber(at) >= tonumber(ARGV[1]) then return { at, redis.call('HGET', KEYS[1], 'data') } end
redis.call('SADD', KEYS[2], ARGV[2])
local ttl = tonumber(ARGV[3])
if ttl > 0 then
  if redis.call('TTL', KEYS[2]) < ttl then redis.call('EXPIRE', KEYS[2], ttl) end
else
  redis.call('PERSIST', KEYS[2])
end
return {}
