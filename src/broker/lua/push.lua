--[[
  push.lua: the prologue of the `pushPop` script, which is this file followed by pop.lua (composed
  when the scripts are registered). A broker that publishes to a queue one of its own consumers
  reads, while that consumer has free prefetch slots, pushes the messages and pops for those slots
  in one atomic call: the consumer gets them in the reply instead of being woken by its blocking
  watcher and popping in a second round trip (what BullMQ's moveToFinished does for the next job).
  The pop takes the oldest messages first, so the queue stays FIFO for everyone.

  KEYS and ARGV[1 .. #KEYS] are exactly pop.lua's. After them come pairs: a list position
  (1-based, into KEYS[3..]) and an envelope, LPUSHed in order before the pop.
]]
for i = #KEYS + 1, #ARGV, 2 do
  redis.call('LPUSH', KEYS[tonumber(ARGV[i]) + 2], ARGV[i + 1])
end
