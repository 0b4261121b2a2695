--[[
  claim.lua: claim due times of schedules, each exactly once across every beat. The caller that
  moves a schedule's cursor past a due time owns it; a repeat of the same claim (same record, e.g. a
  retry after a lost reply) is answered "claimed" again, any other caller "not claimed". Requests
  are handled in order (several due times of one schedule must come oldest first).

  KEYS[1]      <p>celeriac.schedules           hash: schedule id -> entry JSON (must exist)
  KEYS[2]      <p>celeriac.schedules.cursors   hash: schedule id -> newest claimed due time (epoch ms)
  KEYS[3]      <p>celeriac.schedules.leases    zset: '<due>|<id>' -> lease end (epoch ms)
  For request i (1-based), with k = 3 + 2 * (i - 1):
  KEYS[k+1]    <p>celeriac.schedules.fires.<id>   hash: due -> fire record JSON
  KEYS[k+2]    <p>celeriac.schedules.fired.<id>   zset: due -> due

  For request i, with a = 5 * (i - 1):
  ARGV[a+1]    schedule id
  ARGV[a+2]    due time (epoch ms, integer)
  ARGV[a+3]    the fire record JSON (state 'claimed')
  ARGV[a+4]    lease end (epoch ms)
  ARGV[a+5]    how many fire records to keep (older ones and their leases are deleted)

  Returns {claimed_1 (1/0), cursor_1, claimed_2, cursor_2, ...}; a cursor is -1 when the schedule
  does not exist.
]]
local reply = {}
for i = 1, #ARGV / 5 do
  local a = 5 * (i - 1)
  local k = 3 + 2 * (i - 1)
  local id, fires, fired = ARGV[a + 1], KEYS[k + 1], KEYS[k + 2]
  local due = tonumber(ARGV[a + 2])
  if redis.call('HEXISTS', KEYS[1], id) == 0 then
    table.insert(reply, 0)
    table.insert(reply, -1)
  else
    local cursor = tonumber(redis.call('HGET', KEYS[2], id) or '-1')
    if cursor >= due then
      table.insert(reply, redis.call('HGET', fires, ARGV[a + 2]) == ARGV[a + 3] and 1 or 0)
      table.insert(reply, cursor)
    else
      redis.call('HSET', KEYS[2], id, ARGV[a + 2])
      redis.call('HSET', fires, ARGV[a + 2], ARGV[a + 3])
      redis.call('ZADD', fired, due, ARGV[a + 2])
      redis.call('ZADD', KEYS[3], ARGV[a + 4], ARGV[a + 2] .. '|' .. id)
      local extra = redis.call('ZCARD', fired) - tonumber(ARGV[a + 5])
      if extra > 0 then
        for _, old in ipairs(redis.call('ZRANGE', fired, 0, extra - 1)) do
          redis.call('HDEL', fires, old)
          redis.call('ZREM', fired, old)
          redis.call('ZREM', KEYS[3], old .. '|' .. id)
        end
      end
      table.insert(reply, 1)
      table.insert(reply, due)
    end
  end
end
return reply
