--[[
  reopen-run.lua: reopen an error/canceled run (compare-and-set → progress) and reset nodes to
  pending with new task ids and recomputed join counts.
  KEYS[1]  the run hash
  ARGV[1] resets JSON: [{key, taskId, counts: {settled, ok, skipped}, settledParents: {p: status}, parents: [..]}]
  ARGV[2] now ms  ARGV[3] prefix  ARGV[4] fullname  ARGV[5] run id  ARGV[6] created ms
  Returns 1, or 0 when the run is not in error or canceled.
]]
local run = KEYS[1]
local previous = redis.call('HGET', run, 'status')
if previous ~= 'error' and previous ~= 'canceled' then return 0 end
redis.call('HSET', run, 'status', 'progress', 'updated', ARGV[2])
move_status(ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), previous, 'progress')
for _, reset in ipairs(cjson.decode(ARGV[1])) do
  local key = reset.key
  local s = redis.call('HGET', run, 's:' .. key)
  if FINAL_NODE[s] then redis.call('HINCRBY', run, 'done', -1) end
  if s == 'error' then redis.call('HINCRBY', run, 'errors', -1) end
  redis.call('HDEL', run, 'r:' .. key, 'e:' .. key, 'ts:' .. key, 'tf:' .. key, 'b:' .. key, 'x:' .. key)
  redis.call('HSET', run, 's:' .. key, 'pending', 'i:' .. key, reset.taskId,
    'cs:' .. key, reset.counts.settled, 'co:' .. key, reset.counts.ok, 'ck:' .. key, reset.counts.skipped)
  for _, parent in ipairs(reset.parents) do redis.call('HDEL', run, 'pp:' .. key .. SEP .. parent) end
  for parent, status in pairs(reset.settledParents) do redis.call('HSET', run, 'pp:' .. key .. SEP .. parent, status) end
end
return 1
