--[[
  trigger-record.lua: record one firing of a trigger in a session: count it and keep its kwargs
  under its ordinal.
  KEYS[1]  the session hash (c:<name> count, k:<name> SEP <n> kwargs JSON, s:<id>/i:<id> instances)
  ARGV[1] trigger name  ARGV[2] kwargs JSON  ARGV[3] expiry seconds (0: none)
  Returns the firing's ordinal (1-based).
]]
local n = redis.call('HINCRBY', KEYS[1], 'c:' .. ARGV[1], 1)
redis.call('HSET', KEYS[1], 'k:' .. ARGV[1] .. '\31' .. n, ARGV[2])
local ttl = tonumber(ARGV[3])
if ttl > 0 then redis.call('EXPIRE', KEYS[1], ttl) end
return n
