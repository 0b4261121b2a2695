--[[
  create-run.lua: store a new run (status pending, every node pending) and index it.
  KEYS[1]  the run hash
  ARGV[1] key prefix   ARGV[2] fullname   ARGV[3] project   ARGV[4] run id   ARGV[5] created ms
  ARGV[6] meta JSON    ARGV[7] expiry seconds (0: none)   ARGV[8] node keys JSON list
  ARGV[9..] pairs: node key, task id
  Returns 1, or 0 when a run with this id exists.
]]
local run = KEYS[1]
if redis.call('EXISTS', run) == 1 then return 0 end
local prefix, fullname, project, id, created = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
redis.call('HSET', run, 'meta', ARGV[6], 'status', 'pending', 'updated', ARGV[5], 'done', 0, 'errors', 0, 'nodekeys', ARGV[8])
for i = 9, #ARGV, 2 do
  redis.call('HSET', run, 's:' .. ARGV[i], 'pending', 'i:' .. ARGV[i], ARGV[i + 1])
end
local ttl = tonumber(ARGV[7])
if ttl > 0 then redis.call('EXPIRE', run, ttl) end
redis.call('ZADD', prefix .. 'idx', created, id)
redis.call('ZADD', prefix .. 'idx-name-' .. fullname, created, id)
redis.call('ZADD', prefix .. 'idx-project-' .. project, created, id)
move_status(prefix, fullname, id, created, nil, 'pending')
return 1
