--[[
  store-meta.lua: store task metas and publish each, unless a SUCCESS is already stored (Celery
  never overwrites a SUCCESS). Each SET + PUBLISH runs atomically, like Celery's MULTI of
  SETEX + PUBLISH; the check needs the script. Metas stored in the same tick come in one call.

  KEYS[i]    celery-task-meta-<id>; the PUBLISH channel is the key name itself
  ARGV[1]    expiry in seconds; 0 stores without expiry
  ARGV[i+1]  the encoded meta for KEYS[i] (JSON or msgpack bytes)

  Returns one integer per key, in order: 1 when stored and published, 0 when skipped because a
  SUCCESS is stored. Metas for the same key are applied in order.

  The stored value may come from any writer and serializer: JSON starts with '{', msgpack with a
  map header. The status is read from the front when it is the first key (as Celery and celeriac
  write it), otherwise the whole value is decoded.
]]
local function stored_status(value)
  local json_status = string.match(value, '^%s*{%s*"status"%s*:%s*"([^"]*)"')
  if json_status then return json_status end
  if string.match(value, '^%s*{') then
    local ok, decoded = pcall(cjson.decode, value)
    if ok and type(decoded) == 'table' then return decoded['status'] end
    return nil
  end
  -- msgpack fixmap whose first key is the fixstr 'status' and whose value is a fixstr
  local at = string.match(value, '^[\128-\143]\166status()')
  if at then
    local header = string.byte(value, at)
    if header and header >= 160 and header <= 191 then
      return string.sub(value, at + 1, at + header - 160)
    end
  end
  local ok, decoded = pcall(cmsgpack.unpack, value)
  if ok and type(decoded) == 'table' then return decoded['status'] end
  return nil
end

local ttl = tonumber(ARGV[1])
local out = {}
for i, key in ipairs(KEYS) do
  local value = ARGV[i + 1]
  local current = redis.call('GET', key)
  if current and stored_status(current) == 'SUCCESS' then
    out[i] = 0
  else
    if ttl > 0 then
      redis.call('SET', key, value, 'EX', ttl)
    else
      redis.call('SET', key, value)
    end
    redis.call('PUBLISH', key, value)
    out[i] = 1
  end
end
return out
