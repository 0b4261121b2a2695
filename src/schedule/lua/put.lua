--[[
  put.lua: insert or replace a schedule; a new one gets its cursor, a replaced one keeps it.

  KEYS[1]  <p>celeriac.schedules           hash: schedule id -> entry JSON
  KEYS[2]  <p>celeriac.schedules.cursors   hash: schedule id -> newest claimed due time (epoch ms)
  KEYS[3]  <p>celeriac.schedules.version   counter, bumped on every put and remove

  ARGV[1]  schedule id
  ARGV[2]  entry JSON
  ARGV[3]  initial cursor (epoch ms), set only when the schedule is new

  Returns 1 when the schedule was new, 0 when it replaced one.
]]
local new = redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[3])
redis.call('INCR', KEYS[3])
return new
