--[[
  settle.lua: record how a claimed fire ended, once (only while the record is 'claimed').

  KEYS[1]  <p>celeriac.schedules.leases       zset: '<due>|<id>' -> lease end
  KEYS[2]  <p>celeriac.schedules.fires.<id>   hash: due -> fire record JSON

  ARGV[1]  schedule id
  ARGV[2]  due time (epoch ms, as in the hash field)
  ARGV[3]  the outcome JSON: {state, fired, taskId?, runId?, reason?}; its fields are copied into the record

  Returns 1 when the record was settled by this call, 0 when it was missing or settled already.
]]
local current = redis.call('HGET', KEYS[2], ARGV[2])
if not current then return 0 end
local record = cjson.decode(current)
if record.state ~= 'claimed' then return 0 end
for key, value in pairs(cjson.decode(ARGV[3])) do record[key] = value end
redis.call('HSET', KEYS[2], ARGV[2], cjson.encode(record))
redis.call('ZREM', KEYS[1], ARGV[2] .. '|' .. ARGV[1])
return 1
