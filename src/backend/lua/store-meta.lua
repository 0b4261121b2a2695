--[[
  store-meta.lua: store a task meta and publish it, unless a SUCCESS is already stored (Celery
  never overwrites a SUCCESS). SET + PUBLISH run atomically, like Celery's MULTI of
  SETEX + PUBLISH; the check needs the script.

  KEYS[1]  celery-task-meta-<id>; the PUBLISH channel is the key name itself
  ARGV[1]  the encoded meta (JSON or msgpack bytes)
  ARGV[2]  expiry in seconds; 0 stores without expiry

  Returns 1 when stored and published, 0 when skipped because a SUCCESS is stored.

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

local current = redis.call('GET', KEYS[1])
if current and stored_status(current) == 'SUCCESS' then
  return 0
end
local ttl = tonumber(ARGV[2])
if ttl > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ttl)
else
  redis.call('SET', KEYS[1], ARGV[1])
end
redis.call('PUBLISH', KEYS[1], ARGV[1])
return 1
