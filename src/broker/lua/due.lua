--[[
  due.lua: list deliveries whose lease expired (kombu's restore_visible scan), with their
  unacked entries, for the visibility sweep. Read-only.

  KEYS[1]  unacked_index zset (tag -> epoch seconds of delivery or last lease refresh)
  KEYS[2]  unacked hash

  ARGV[1]  visibility timeout in seconds
  ARGV[2]  the most tags to return

  Returns {cutoff, tag1, entry1, tag2, entry2, ...}: cutoff = server time - visibility timeout
  (as a string); entryN is the unacked value or nil when the hash entry is missing.
]]
local t = redis.call('TIME')
local cutoff = tonumber(t[1]) + tonumber(t[2]) / 1000000 - tonumber(ARGV[1])
local tags = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff, 'LIMIT', 0, tonumber(ARGV[2]))
local out = { string.format('%.6f', cutoff) }
if #tags == 0 then return out end
local entries = redis.call('HMGET', KEYS[2], unpack(tags))
for i, tag in ipairs(tags) do
  out[#out + 1] = tag
  out[#out + 1] = entries[i]
end
return out
