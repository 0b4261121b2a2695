--[[
  restore.lua: put one expired delivery back on its queue, at the front (kombu's restore uses
  RPUSH, so it is consumed next), as a compare-and-set: nothing happens when the entry changed
  since due.lua read it, or when its owner refreshed the lease meanwhile.

  KEYS[1]  unacked hash
  KEYS[2]  unacked_index zset
  KEYS[3..] destination queue lists (one per queue the entry's exchange/routing key resolves to)

  ARGV[1]  delivery tag
  ARGV[2]  the unacked value due.lua returned; '' when the hash entry was missing (then only the
           stale index entry is removed)
  ARGV[3]  the envelope to push (marked redelivered)
  ARGV[4]  cutoff: restore only when the tag's score is still <= cutoff

  Returns 1 when the message was restored (or the stale index entry removed), 0 otherwise.
]]
local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[4]) then return 0 end
local current = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == '' then
  if current then return 0 end
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 1
end
if current ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
for position = 3, #KEYS do
  redis.call('RPUSH', KEYS[position], ARGV[3])
end
return 1
