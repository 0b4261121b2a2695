--[[
  settle-node.lua: settle a node once, then count it toward each child's join once per
  (child, parent) pair, so a redelivered completion never double-counts.
  KEYS[1]  the run hash
  ARGV[1] node key  ARGV[2] task id ('' = any)  ARGV[3] new status  ARGV[4] result JSON ('' = none)
  ARGV[5] error JSON ('' = none)  ARGV[6] retries ('' = keep)  ARGV[7] now ms
  ARGV[8] allowed previous statuses, comma-separated ('' = any non-final)
  ARGV[9] prefix  ARGV[10] fullname  ARGV[11] run id  ARGV[12] created ms
  ARGV[13..] child node keys
  Returns {first 0/1, status, previous, done, errors, run status, run previous ('' if unchanged),
           then per child: settled, ok, skipped}; {} when the run does not exist.
]]
local run, key = KEYS[1], ARGV[1]
if redis.call('EXISTS', run) == 0 then return {} end
local previous = redis.call('HGET', run, 's:' .. key)
if not previous then return {} end
local allowed
if ARGV[8] == '' then
  allowed = not FINAL_NODE[previous]
else
  allowed = string.find(',' .. ARGV[8] .. ',', ',' .. previous .. ',', 1, true) ~= nil
end
local first = 0
local run_previous = ''
if allowed and (ARGV[2] == '' or redis.call('HGET', run, 'i:' .. key) == ARGV[2]) then
  first = 1
  local status = ARGV[3]
  redis.call('HSET', run, 's:' .. key, status, 'tf:' .. key, ARGV[7], 'updated', ARGV[7])
  if ARGV[4] ~= '' then redis.call('HSET', run, 'r:' .. key, ARGV[4]) end
  if ARGV[5] ~= '' then redis.call('HSET', run, 'e:' .. key, ARGV[5]) end
  if ARGV[6] ~= '' then redis.call('HSET', run, 'n:' .. key, ARGV[6]) end
  redis.call('HINCRBY', run, 'done', 1)
  if status == 'error' then redis.call('HINCRBY', run, 'errors', 1) end
  if redis.call('HGET', run, 'status') == 'pending' and (status == 'success' or status == 'error') then
    redis.call('HSET', run, 'status', 'progress')
    move_status(ARGV[9], ARGV[10], ARGV[11], tonumber(ARGV[12]), 'pending', 'progress')
    run_previous = 'pending'
  end
end
local now_status = redis.call('HGET', run, 's:' .. key)
local reply = { first, now_status, previous, tonumber(redis.call('HGET', run, 'done')), tonumber(redis.call('HGET', run, 'errors')), redis.call('HGET', run, 'status'), run_previous }
for i = 13, #ARGV do
  local child = ARGV[i]
  if FINAL_NODE[now_status] and redis.call('HSETNX', run, 'pp:' .. child .. SEP .. key, now_status) == 1 then
    redis.call('HINCRBY', run, 'cs:' .. child, 1)
    if now_status == 'success' then redis.call('HINCRBY', run, 'co:' .. child, 1) end
    if now_status == 'skipped' then redis.call('HINCRBY', run, 'ck:' .. child, 1) end
  end
  local counts = redis.call('HMGET', run, 'cs:' .. child, 'co:' .. child, 'ck:' .. child)
  reply[#reply + 1] = tonumber(counts[1]) or 0
  reply[#reply + 1] = tonumber(counts[2]) or 0
  reply[#reply + 1] = tonumber(counts[3]) or 0
end
return reply
