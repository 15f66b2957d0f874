-- Parley's cluster registry: every write is one call of this script, so each is atomic.
-- ARGV[1] = operation, ARGV[2] = key prefix, ARGV[3] = node id (except for 'reap'), then operands.
-- The key layout is documented in RegistryStore's Javadoc and must match ClusterKeys.
--
-- A node's entries (the set <p>:registry:node:<id>:entries) are what it contributes:
--   'u <user>'         -> <id> is in the set <p>:registry:user:<user>
--   'p <room> <user>'  -> +1 in field <user> of the hash <p>:registry:presence:<room>
-- Keys are computed here from the prefix, so this script needs a single Redis, not Redis Cluster.

local op, prefix = ARGV[1], ARGV[2]

local function entriesKey(node) return prefix .. ':registry:node:' .. node .. ':entries' end
local function heartbeatKey(node) return prefix .. ':registry:node:' .. node end
local nodesKey = prefix .. ':registry:nodes'

-- Applies (delta 1) or withdraws (delta -1) one entry's effect. Returns the room whose online set
-- changed (a user came online or went offline there), or false.
local function apply(node, entry, delta)
  local rest = string.sub(entry, 3)
  if string.sub(entry, 1, 1) == 'u' then
    local key = prefix .. ':registry:user:' .. rest
    if delta > 0 then redis.call('SADD', key, node) else redis.call('SREM', key, node) end
    return false
  end
  local sep = string.find(rest, ' ', 1, true)
  local room, user = string.sub(rest, 1, sep - 1), string.sub(rest, sep + 1)
  local key = prefix .. ':registry:presence:' .. room
  local count = redis.call('HINCRBY', key, user, delta)
  if count <= 0 then
    redis.call('HDEL', key, user)
    return room
  end
  if delta > 0 and count == 1 then return room end
  return false
end

local function add(node, entry)
  if redis.call('SADD', entriesKey(node), entry) == 1 then return apply(node, entry, 1) end
  return false
end

local function remove(node, entry)
  if redis.call('SREM', entriesKey(node), entry) == 1 then return apply(node, entry, -1) end
  return false
end

-- Withdraws everything a node contributed and forgets the node. Appends changed rooms to 'rooms'.
local function drop(node, rooms)
  for _, entry in ipairs(redis.call('SMEMBERS', entriesKey(node))) do
    local room = apply(node, entry, -1)
    if room then rooms[#rooms + 1] = room end
  end
  redis.call('DEL', entriesKey(node), heartbeatKey(node))
  redis.call('SREM', nodesKey, node)
end

if op == 'add' then
  return add(ARGV[3], ARGV[4]) and 1 or 0
elseif op == 'remove' then
  return remove(ARGV[3], ARGV[4]) and 1 or 0
elseif op == 'sync' then
  -- Makes the node's entries exactly ARGV[4..]; returns the rooms whose online set changed.
  local node, wanted, rooms = ARGV[3], {}, {}
  for i = 4, #ARGV do wanted[ARGV[i]] = true end
  for _, entry in ipairs(redis.call('SMEMBERS', entriesKey(node))) do
    if not wanted[entry] then
      local room = remove(node, entry)
      if room then rooms[#rooms + 1] = room end
    end
  end
  for i = 4, #ARGV do
    local room = add(node, ARGV[i])
    if room then rooms[#rooms + 1] = room end
  end
  return rooms
elseif op == 'beat' then
  -- Renews the heartbeat (value: the time of the beat); returns {1 if it still existed, live nodes}.
  local node, ttl, now = ARGV[3], ARGV[4], ARGV[5]
  local existed = redis.call('EXISTS', heartbeatKey(node))
  redis.call('SET', heartbeatKey(node), now, 'PX', ttl)
  redis.call('SADD', nodesKey, node)
  return {existed, redis.call('SCARD', nodesKey)}
elseif op == 'reap' then
  -- Drops every known node whose heartbeat expired; returns {count, node ids..., changed rooms...}.
  local dead, rooms = {}, {}
  for _, node in ipairs(redis.call('SMEMBERS', nodesKey)) do
    if redis.call('EXISTS', heartbeatKey(node)) == 0 then
      dead[#dead + 1] = node
      drop(node, rooms)
    end
  end
  local result = {#dead}
  for _, node in ipairs(dead) do result[#result + 1] = node end
  for _, room in ipairs(rooms) do result[#result + 1] = room end
  return result
elseif op == 'leave' then
  -- A node that stops withdraws its own entries at once; returns the changed rooms.
  local rooms = {}
  drop(ARGV[3], rooms)
  return rooms
end
return redis.error_reply('unknown registry operation ' .. tostring(op))
