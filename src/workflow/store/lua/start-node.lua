--[[
  start-node.lua: a node's task started: queued → progress (only for its current task id), and the
  run pending → progress.
  KEYS[1]  the run hash
  ARGV[1] node key  ARGV[2] task id  ARGV[3] now ms  ARGV[4] prefix  ARGV[5] fullname  ARGV[6] run id
  ARGV[7] created ms (index score)
  Returns {node changed 0/1, run changed 0/1}.
]]
local run, key = KEYS[1], ARGV[1]
if redis.call('HGET', run, 'i:' .. key) ~= ARGV[2] or redis.call('HGET', run, 's:' .. key) ~= 'queued' then return { 0, 0 } end
redis.call('HSET', run, 's:' .. key, 'progress', 'ts:' .. key, ARGV[3], 'updated', ARGV[3])
if redis.call('HGET', run, 'status') == 'pending' then
  redis.call('HSET', run, 'status', 'progress')
  move_status(ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7]), 'pending', 'progress')
  return { 1, 1 }
end
return { 1, 0 }
