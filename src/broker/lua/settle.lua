--[[
  settle.lua: settle a delivery this client owns and move its message in the same atomic step.
  Ownership is the unacked hash entry: when it is gone (acked, or restored by a visibility
  sweep), nothing is moved, so a message is never duplicated by a late settlement.

  KEYS[1]  unacked hash
  KEYS[2]  unacked_index zset
  KEYS[3]  destination: a queue list, a dead-letter list, or the delayed zset

  ARGV[1]  delivery tag
  ARGV[2]  mode: 'lpush' (back of the line: requeue), 'rpush' (front of the line: restore on
           close, dead-letter append) or 'zadd' (park in the delayed zset)
  ARGV[3]  payload pushed or added (an envelope, a dead-letter record, or a delayed member)
  ARGV[4]  score for 'zadd' (due time, epoch ms); ignored otherwise
  ARGV[5]  for 'rpush': when > 0, the list is trimmed to its newest ARGV[5] entries (dead-letter cap)

  Returns 1 when the delivery was still owned and the payload was written, 0 otherwise.
]]
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 0
end
redis.call('ZREM', KEYS[2], ARGV[1])
local mode = ARGV[2]
if mode == 'lpush' then
  redis.call('LPUSH', KEYS[3], ARGV[3])
elseif mode == 'rpush' then
  redis.call('RPUSH', KEYS[3], ARGV[3])
  local cap = tonumber(ARGV[5] or '0') or 0
  if cap > 0 then redis.call('LTRIM', KEYS[3], -cap, -1) end
elseif mode == 'zadd' then
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
else
  return redis.error_reply('settle.lua: unknown mode ' .. tostring(mode))
end
return 1
