--[[
  chord-part.lua: count one finished chord header part, atomically and idempotently, with
  Celery 5.2.6's keys (celery/backends/redis.py on_chord_part_return), so chords complete whether
  their header runs on Python workers, celeriac workers, or both.

  KEYS[1]  <taskset>.j     zset of parts: member encode([1, task_id, state, result]),
                           score group_index (or +inf)
  KEYS[2]  <taskset>.s     chord size, a plain decimal string written by the producer
  KEYS[3]  <taskset>.t     extra count (Task.add_to_chord / replace), may be missing
  KEYS[4]  <taskset>.celeriac.ids   set of task ids already counted (celeriac only)
  KEYS[5]  <taskset>.celeriac.done  the task id whose part completed the chord (celeriac only)

  ARGV[1]  the task id of this part
  ARGV[2]  the encoded part (serializer bytes)
  ARGV[3]  its score: the group_index, or '+inf' when it has none
  ARGV[4]  expiry in seconds for all five keys; 0 leaves them without expiry

  Returns {complete, counted, member1, score1, member2, score2, ...}:
    complete  1 when every part is in (parts >= size + extra, the size known) and this task is
              the one whose part completed the chord (recorded in KEYS[5] by the first call that
              saw it complete); a redelivery of that task sees 1 again until the keys are deleted
              (clearChord), so it can still send the body; every other task sees 0, so the body
              is sent once;
    counted   1 when this call added the part, 0 when the task id was already counted;
    members and scores (ZRANGE WITHSCORES, header order) only when complete.
]]
local counted = 0
if redis.call('SADD', KEYS[4], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
  counted = 1
end
local ready = redis.call('ZCARD', KEYS[1])
local size = redis.call('GET', KEYS[2])
local extra = redis.call('GET', KEYS[3])
local ttl = tonumber(ARGV[4])
if ttl > 0 then
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('EXPIRE', KEYS[2], ttl)
  redis.call('EXPIRE', KEYS[3], ttl)
  redis.call('EXPIRE', KEYS[4], ttl)
end
if not size then
  return { 0, counted }
end
local total = tonumber(size) + (tonumber(extra) or 0)
if ready < total then
  return { 0, counted }
end
local owner = redis.call('GET', KEYS[5])
if not owner then
  owner = ARGV[1]
  if ttl > 0 then
    redis.call('SET', KEYS[5], owner, 'EX', ttl)
  else
    redis.call('SET', KEYS[5], owner)
  end
end
if owner ~= ARGV[1] then
  return { 0, counted }
end
local out = { 1, counted }
local parts = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for _, item in ipairs(parts) do
  out[#out + 1] = item
end
return out
