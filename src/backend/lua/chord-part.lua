--[[
  chord-part.lua: count finished chord header parts, each atomically and idempotently, with
  Celery 5.2.6's keys (celery/backends/redis.py on_chord_part_return), so chords complete whether
  their header runs on Python workers, celeriac workers, or both.

  Parts counted in the same tick come in one call, in order (two parts of the same chord in one
  call are counted one after the other). For part i, with k = 5 * (i - 1) and a = 1 + 3 * (i - 1):

  KEYS[k+1]  <taskset>.j     zset of parts: member encode([1, task_id, state, result]),
                             score group_index (or +inf)
  KEYS[k+2]  <taskset>.s     chord size, a plain decimal string written by the producer
  KEYS[k+3]  <taskset>.t     extra count (Task.add_to_chord / replace), may be missing
  KEYS[k+4]  <taskset>.celeriac.ids   set of task ids already counted (celeriac only)
  KEYS[k+5]  <taskset>.celeriac.done  the task id whose part completed the chord (celeriac only)

  ARGV[1]    expiry in seconds for all five keys; 0 leaves them without expiry
  ARGV[a+1]  the task id of this part
  ARGV[a+2]  the encoded part (serializer bytes)
  ARGV[a+3]  its score: the group_index, or '+inf' when it has none

  Returns one reply per part, {complete, counted, member1, score1, member2, score2, ...}:
    complete  1 when every part is in (parts >= size + extra, the size known) and this task is
              the one whose part completed the chord (recorded in KEYS[5] by the first call that
              saw it complete); a redelivery of that task sees 1 again until the keys are deleted
              (clearChord), so it can still send the body; every other task sees 0, so the body
              is sent once;
    counted   1 when this call added the part, 0 when the task id was already counted;
    members and scores (ZRANGE WITHSCORES, header order) only when complete.
]]
local ttl = tonumber(ARGV[1])

local function count(j, s, t, ids, done, task_id, member, score)
  local counted = 0
  if redis.call('SADD', ids, task_id) == 1 then
    redis.call('ZADD', j, score, member)
    counted = 1
  end
  local ready = redis.call('ZCARD', j)
  local size = redis.call('GET', s)
  local extra = redis.call('GET', t)
  if ttl > 0 then
    redis.call('EXPIRE', j, ttl)
    redis.call('EXPIRE', s, ttl)
    redis.call('EXPIRE', t, ttl)
    redis.call('EXPIRE', ids, ttl)
  end
  if not size then
    return { 0, counted }
  end
  local total = tonumber(size) + (tonumber(extra) or 0)
  if ready < total then
    return { 0, counted }
  end
  local owner = redis.call('GET', done)
  if not owner then
    owner = task_id
    if ttl > 0 then
      redis.call('SET', done, owner, 'EX', ttl)
    else
      redis.call('SET', done, owner)
    end
  end
  if owner ~= task_id then
    return { 0, counted }
  end
  local out = { 1, counted }
  local parts = redis.call('ZRANGE', j, 0, -1, 'WITHSCORES')
  for _, item in ipairs(parts) do
    out[#out + 1] = item
  end
  return out
end

local replies = {}
for i = 1, #KEYS / 5 do
  local k = 5 * (i - 1)
  local a = 1 + 3 * (i - 1)
  replies[i] = count(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3])
end
return replies
