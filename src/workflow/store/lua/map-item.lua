--[[
  map-item.lua: count one item of a map attempt once and keep its result; once every item is
  done, return the results in item order as one JSON list (also to a repeat, so a settle lost in a
  crash is redone by the redelivered item).
  KEYS[1]  the map hash (t total, d done, r<i> result JSON)
  ARGV[1] item index  ARGV[2] result JSON
  Returns {counted 0/1, done, total[, results JSON list]}.
]]
local total = tonumber(redis.call('HGET', KEYS[1], 't'))
if not total then return { 0, 0, 0 } end
local i = tonumber(ARGV[1])
if i < 0 or i >= total then return { 0, 0, total } end
local counted = redis.call('HSETNX', KEYS[1], 'r' .. i, ARGV[2])
if counted == 1 then redis.call('HINCRBY', KEYS[1], 'd', 1) end
local done = tonumber(redis.call('HGET', KEYS[1], 'd')) or 0
if done < total then return { counted, done, total } end
local parts = {}
for j = 0, total - 1 do parts[#parts + 1] = redis.call('HGET', KEYS[1], 'r' .. j) end
return { counted, done, total, '[' .. table.concat(parts, ',') .. ']' }
