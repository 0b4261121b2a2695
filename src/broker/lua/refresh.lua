--[[
  refresh.lua: renew the lease of deliveries a live consumer still holds, so the visibility
  sweep does not restore them. Tags already acked or restored are not re-added (ZADD XX).

  KEYS[1]  unacked_index zset
  ARGV     the delivery tags

  Returns the number of tags whose score was updated.
]]
if #ARGV == 0 then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local args = {}
for _, tag in ipairs(ARGV) do
  args[#args + 1] = now
  args[#args + 1] = tag
end
return redis.call('ZADD', KEYS[1], 'XX', 'CH', unpack(args))
