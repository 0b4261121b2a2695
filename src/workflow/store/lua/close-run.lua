--[[
  close-run.lua: close an open run (compare-and-set): finish it, stop it after a failure, cancel or
  expire it; optionally cancel its pending and/or queued/running nodes.
  KEYS[1]  the run hash
  ARGV[1] new status  ARGV[2] now ms  ARGV[3] cancel pending 0/1  ARGV[4] cancel running 0/1
  ARGV[5] error JSON for canceled nodes ('' = none)  ARGV[6] prefix  ARGV[7] fullname  ARGV[8] run id
  ARGV[9] created ms  ARGV[10] expiry seconds to refresh (0: keep)
  Returns {changed 0/1, previous status, status, then per canceled node: key, task id, previous}
  or {} when the run does not exist.
]]
local run = KEYS[1]
local previous = redis.call('HGET', run, 'status')
if not previous then return {} end
if FINAL_RUN[previous] then return { 0, previous, previous } end
local status, now = ARGV[1], ARGV[2]
redis.call('HSET', run, 'status', status, 'updated', now)
move_status(ARGV[6], ARGV[7], ARGV[8], tonumber(ARGV[9]), previous, status)
local reply = { 1, previous, status }
local pending, running = ARGV[3] == '1', ARGV[4] == '1'
if pending or running then
  for _, key in ipairs(cjson.decode(redis.call('HGET', run, 'nodekeys'))) do
    local s = redis.call('HGET', run, 's:' .. key)
    if (s == 'pending' and pending) or ((s == 'queued' or s == 'progress') and running) then
      redis.call('HSET', run, 's:' .. key, 'canceled', 'tf:' .. key, now)
      if ARGV[5] ~= '' then redis.call('HSET', run, 'e:' .. key, ARGV[5]) end
      redis.call('HINCRBY', run, 'done', 1)
      reply[#reply + 1] = key
      reply[#reply + 1] = redis.call('HGET', run, 'i:' .. key)
      reply[#reply + 1] = s
    end
  end
end
local ttl = tonumber(ARGV[10])
if ttl > 0 then redis.call('EXPIRE', run, ttl) end
return reply
