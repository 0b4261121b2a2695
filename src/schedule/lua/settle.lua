--[[
  settle.lua: record how claimed fires ended, each once (only while its record is 'claimed').

  KEYS[1]      <p>celeriac.schedules.leases       zset: '<due>|<id>' -> lease end
  KEYS[1+i]    <p>celeriac.schedules.fires.<id>   hash of fire i (1-based): due -> fire record JSON

  For fire i, with a = 3 * (i - 1):
  ARGV[a+1]    schedule id
  ARGV[a+2]    due time (epoch ms, as in the hash field)
  ARGV[a+3]    the outcome JSON: {state, fired, taskId?, runId?, reason?}; its fields are copied into the record

  Returns {settled_1, settled_2, ...}: 1 when settled by this call, 0 when missing or settled already.
]]
local reply = {}
for i = 1, #ARGV / 3 do
  local a = 3 * (i - 1)
  local key = KEYS[1 + i]
  local current = redis.call('HGET', key, ARGV[a + 2])
  local done = 0
  if current then
    local record = cjson.decode(current)
    if record.state == 'claimed' then
      for field, value in pairs(cjson.decode(ARGV[a + 3])) do record[field] = value end
      redis.call('HSET', key, ARGV[a + 2], cjson.encode(record))
      redis.call('ZREM', KEYS[1], ARGV[a + 2] .. '|' .. ARGV[a + 1])
      done = 1
    end
  end
  table.insert(reply, done)
end
return reply
