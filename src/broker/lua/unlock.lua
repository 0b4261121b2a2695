--[[
  unlock.lua: release a lock only if this client still holds it (the value is its token),
  the same protocol as redis-py's Lock that kombu uses for unacked_mutex.

  KEYS[1]  the lock key
  ARGV[1]  the holder's token

  Returns 1 when released, 0 when the lock was not held with that token.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
