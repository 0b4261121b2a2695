--[[
  claim-nodes.lua: claim nodes for publishing: pending → queued while the run is open (first
  claim), or a repeat by the same claimer before the node was marked sent (a redelivered
  completion republishes what it may not have sent). Returns the parents' results.
  KEYS[1]  the run hash
  ARGV: request count, then per request: node key, claimer, parent count, parent keys...
  Returns per request: {claimed 0/1, task id, parent result JSON or '' (not successful)...}
  flattened as: claimed, task id, n, results...
]]
local run = KEYS[1]
local open = not FINAL_RUN[redis.call('HGET', run, 'status') or 'success']
local reply = {}
local a = 2
for _ = 1, tonumber(ARGV[1]) do
  local key, by, n = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2])
  local status = redis.call('HGET', run, 's:' .. key)
  local claimed = 0
  if status == 'pending' and open then
    redis.call('HSET', run, 's:' .. key, 'queued', 'b:' .. key, by)
    redis.call('HDEL', run, 'x:' .. key)
    claimed = 1
  elseif status == 'queued' and redis.call('HGET', run, 'b:' .. key) == by and redis.call('HEXISTS', run, 'x:' .. key) == 0 then
    claimed = 1
  end
  reply[#reply + 1] = claimed
  reply[#reply + 1] = redis.call('HGET', run, 'i:' .. key) or ''
  reply[#reply + 1] = n
  for p = 1, n do
    local parent = ARGV[a + 2 + p]
    if redis.call('HGET', run, 's:' .. parent) == 'success' then
      reply[#reply + 1] = redis.call('HGET', run, 'r:' .. parent) or 'null'
    else
      reply[#reply + 1] = ''
    end
  end
  a = a + 3 + n
end
return reply
