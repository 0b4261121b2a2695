--[[
  common.lua: helpers prepended to every workflow-store script (not a script of its own).
  A run is one hash; index zsets are named from ARGV-given prefix and fullname (standalone Redis).
  Hash fields: meta, status, updated, done, errors, nodekeys (JSON list), once:<name>; per node k:
  s:k status, i:k task id, r:k result JSON, e:k error JSON, n:k retries, ts:k/tf:k started/finished
  ms, b:k claimed by, x:k sent flag, cs:k/co:k/ck:k join counts (settled/ok/skipped), and
  pp:<child>\31<parent> the status a parent settled with (counted once per pair).
]]
local FINAL_NODE = { success = true, error = true, canceled = true, skipped = true }
local FINAL_RUN = { success = true, error = true, canceled = true }
local SEP = '\31'

-- Move a run between status indexes (all / by project / by name stay).
local function move_status(prefix, fullname, id, score, old, new)
  if old == new then return end
  if old then
    redis.call('ZREM', prefix .. 'idx-status-' .. old, id)
    redis.call('ZREM', prefix .. 'idx-ns-' .. fullname .. SEP .. old, id)
  end
  redis.call('ZADD', prefix .. 'idx-status-' .. new, score, id)
  redis.call('ZADD', prefix .. 'idx-ns-' .. fullname .. SEP .. new, score, id)
end
