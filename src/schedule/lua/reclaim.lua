--[[
  reclaim.lua: take over fires whose lease ended (their beat died between claim and settle). Each
  is given to one caller only: its lease is renewed for the caller before the script returns.

  KEYS[1]  <p>celeriac.schedules.leases    zset: '<due>|<id>' -> lease end (epoch ms)

  ARGV[1]  now (epoch ms): leases that ended before it are taken
  ARGV[2]  the new lease end (epoch ms)
  ARGV[3]  the beat taking them over
  ARGV[4]  at most this many
  ARGV[5]  the fire-record key prefix '<p>celeriac.schedules.fires.' (the id is appended)

  Returns the taken fire records (JSON strings) with their new beat and lease end.
]]
local taken = {}
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[4]))
for _, member in ipairs(members) do
  local bar = string.find(member, '|', 1, true)
  local due = string.sub(member, 1, bar - 1)
  local key = ARGV[5] .. string.sub(member, bar + 1)
  local current = redis.call('HGET', key, due)
  if current then
    local record = cjson.decode(current)
    if record.state == 'claimed' then
      record.beat = ARGV[3]
      record.leaseUntil = tonumber(ARGV[2])
      local encoded = cjson.encode(record)
      redis.call('HSET', key, due, encoded)
      redis.call('ZADD', KEYS[1], ARGV[2], member)
      table.insert(taken, encoded)
    else
      redis.call('ZREM', KEYS[1], member)
    end
  else
    redis.call('ZREM', KEYS[1], member)
  end
end
return taken
