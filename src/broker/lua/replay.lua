--[[
  replay.lua: move one dead-letter record back to its queue, atomically.

  KEYS[1]  the dead-letter list
  KEYS[2]  the queue list to put the message back on

  ARGV[1]  the record, exactly as stored in the dead-letter list
  ARGV[2]  the envelope to push (LPUSH: the back of the line)

  Returns 1 when the record was still there and was moved, 0 otherwise (someone else took it).
]]
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then
  redis.call('LPUSH', KEYS[2], ARGV[2])
  return 1
end
return 0
