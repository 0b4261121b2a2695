--[[
  remove.lua: delete a schedule, its cursor, its fire records and their leases.

  KEYS[1]  <p>celeriac.schedules           hash: schedule id -> entry JSON
  KEYS[2]  <p>celeriac.schedules.cursors   hash: schedule id -> cursor
  KEYS[3]  <p>celeriac.schedules.version   counter
  KEYS[4]  <p>celeriac.schedules.leases    zset: '<due>|<id>' -> lease end (epoch ms)
  KEYS[5]  <p>celeriac.schedules.fires.<id>   hash: due -> fire record JSON
  KEYS[6]  <p>celeriac.schedules.fired.<id>   zset: due -> due (the records' order)

  ARGV[1]  schedule id

  Returns 1 when the schedule existed, 0 otherwise.
]]
local existed = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
for _, due in ipairs(redis.call('ZRANGE', KEYS[6], 0, -1)) do
  redis.call('ZREM', KEYS[4], due .. '|' .. ARGV[1])
end
redis.call('DEL', KEYS[5], KEYS[6])
redis.call('INCR', KEYS[3])
return existed
