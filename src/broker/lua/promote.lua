--[[
  promote.lua: move parked messages whose due time has come from the delayed zset to their
  queue lists (LPUSH, like a fresh publish).

  KEYS[1]  the delayed zset; members are '<envelope>\0<destination list key>', scores are due
           times in epoch ms (the envelope is JSON, so it never contains a NUL byte). A due
           member without a NUL byte was not written by celeriac; it is removed.

  ARGV[1]  the most messages to move in this call

  Returns {moved, next}: how many were moved, and the due time (epoch ms, as a string) of the
  earliest message still parked, or nil when none is left.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, member in ipairs(due) do
  local cut = string.find(member, '\0', 1, true)
  if cut then
    redis.call('LPUSH', string.sub(member, cut + 1), string.sub(member, 1, cut - 1))
  end
  redis.call('ZREM', KEYS[1], member)
end
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local next_due = head[2]
return { #due, next_due }
