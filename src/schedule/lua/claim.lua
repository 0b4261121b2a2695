--[[
  claim.lua: claim one due time of a schedule, exactly once across every beat. The caller that
  moves the cursor past the due time owns it; a repeat of the same call (same record, e.g. a retry
  after a lost reply) is answered "claimed" again, any other caller "not claimed".

  KEYS[1]  <p>celeriac.schedules           hash: schedule id -> entry JSON (must exist)
  KEYS[2]  <p>celeriac.schedules.cursors   hash: schedule id -> newest claimed due time (epoch ms)
  KEYS[3]  <p>celeriac.schedules.leases    zset: '<due>|<id>' -> lease end (epoch ms)
  KEYS[4]  <p>celeriac.schedules.fires.<id>   hash: due -> fire record JSON
  KEYS[5]  <p>celeriac.schedules.fired.<id>   zset: due -> due

  ARGV[1]  schedule id
  ARGV[2]  due time (epoch ms, integer)
  ARGV[3]  the fire record JSON (state 'claimed')
  ARGV[4]  lease end (epoch ms)
  ARGV[5]  how many fire records to keep (older ones and their leases are deleted)

  Returns {claimed (1/0), cursor after the call (-1 when the schedule does not exist)}.
]]
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return {0, -1} end
local due = tonumber(ARGV[2])
local cursor = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1')
if cursor >= due then
  if redis.call('HGET', KEYS[4], ARGV[2]) == ARGV[3] then return {1, cursor} end
  return {0, cursor}
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[4], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[5], due, ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[2] .. '|' .. ARGV[1])
local extra = redis.call('ZCARD', KEYS[5]) - tonumber(ARGV[5])
if extra > 0 then
  for _, old in ipairs(redis.call('ZRANGE', KEYS[5], 0, extra - 1)) do
    redis.call('HDEL', KEYS[4], old)
    redis.call('ZREM', KEYS[5], old)
    redis.call('ZREM', KEYS[3], old .. '|' .. ARGV[1])
  end
end
return {1, due}
