--[[
  pop.lua: take up to N messages from a consumer's lists, in service order, and register each
  one as unacknowledged in the SAME atomic step (kombu's ack emulation), so a message is never
  only in a client's memory.

  KEYS[1]      unacked hash        (tag -> JSON [envelope, exchange, routing_key])
  KEYS[2]      unacked_index zset  (tag -> epoch seconds, server time)
  KEYS[3..]    the queue lists in service order (priority step first, then queue order)

  ARGV[1]      N, the most messages to take (the consumer's free prefetch slots)
  ARGV[2]      a random nonce (fresh per call), used to build a tag when an entry has none or its
               tag is in use; a built tag is taken only when no in-flight entry has it (HSETNX)
  ARGV[3..]    for each list in KEYS[3..], its routing key (the queue name) encoded as a JSON string

  Returns a flat array, three items per message: list position (1-based, into KEYS[3..]),
  delivery tag, raw envelope. Messages come out oldest first (consumers take from the right).

  The tag is the envelope's properties.delivery_tag. The fast path reads it from the last 200
  bytes of the envelope (kombu and celeriac both write it last); otherwise the envelope is decoded. An entry
  that is not JSON is stored as a JSON string inside the unacked value so the value stays valid
  JSON for kombu; the client dead-letters it.
]]
local unacked = KEYS[1]
local index = KEYS[2]
local wanted = tonumber(ARGV[1])
local nonce = ARGV[2]

local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000

local out = {}
local scored = {}
local taken = 0
local fallbacks = 0

local function tag_of(entry)
  -- Only the tail is searched: the tag is the last property of the last key of the envelope.
  local tag = string.match(string.sub(entry, -200), '"delivery_tag"%s*:%s*"([^"\\]+)"%s*}%s*}%s*$')
  if tag then return tag, true end
  local ok, decoded = pcall(cjson.decode, entry)
  if not ok then return nil, false end
  if type(decoded) == 'table' and type(decoded['properties']) == 'table' then
    local found = decoded['properties']['delivery_tag']
    if type(found) == 'string' and found ~= '' then return found, true end
  end
  return nil, true
end

for position = 3, #KEYS do
  if taken >= wanted then break end
  local items = redis.call('RPOP', KEYS[position], wanted - taken)
  if items then
    local routing_key = ARGV[position]
    for _, entry in ipairs(items) do
      local tag, is_json = tag_of(entry)
      local stored
      if is_json then
        stored = '[' .. entry .. ', "", ' .. routing_key .. ']'
      else
        stored = '[' .. cjson.encode(entry) .. ', "", ' .. routing_key .. ']'
      end
      if not tag or redis.call('HSETNX', unacked, tag, stored) == 0 then
        -- Never HSET over another in-flight entry: try fresh tags until one is free.
        local base = tag or 'celeriac'
        repeat
          fallbacks = fallbacks + 1
          tag = base .. ':' .. nonce .. ':' .. fallbacks
        until redis.call('HSETNX', unacked, tag, stored) == 1
      end
      scored[#scored + 1] = now
      scored[#scored + 1] = tag
      out[#out + 1] = position - 2
      out[#out + 1] = tag
      out[#out + 1] = entry
      taken = taken + 1
    end
  end
end

if #scored > 0 then
  redis.call('ZADD', index, unpack(scored))
end
return out
