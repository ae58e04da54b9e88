package redisstore

import "github.com/redis/go-redis/v9"

// luaLib is shared by the scripts that change a zone. P is the zone's key
// prefix ("dmp:{zone}:"); every key built from it carries the zone's hash
// tag, so a script touching many owners stays on one Cluster slot.
const luaLib = `
local P = ARGV[1]
local NOW = ARGV[2]

local function maxScore(key)
  local r = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if #r == 0 then return 0 end
  return tonumber(r[2])
end

local function minScore(key)
  local r = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if #r == 0 then return 0 end
  return tonumber(r[2])
end

local function live(owner)
  return redis.call('ZRANGE', P .. 'rr:' .. owner, '(' .. NOW, '+inf', 'BYSCORE')
end

-- retree sets the tree score of name to the latest expiry at or below it.
local function retree(name)
  local m = math.max(maxScore(P .. 'rr:' .. name), maxScore(P .. 'kids:' .. name))
  if m == 0 then
    redis.call('ZREM', P .. 'tree', name)
  else
    redis.call('ZADD', P .. 'tree', m, name)
  end
end

-- refresh rebuilds the index entries of owner and its ancestors.
local function refresh(owner, ancs)
  local rr = P .. 'rr:' .. owner
  local top = maxScore(rr)
  if top == 0 then
    redis.call('ZREM', P .. 'exp', owner)
    for _, a in ipairs(ancs) do redis.call('ZREM', P .. 'kids:' .. a, owner) end
  else
    redis.call('ZADD', P .. 'exp', minScore(rr), owner)
    for _, a in ipairs(ancs) do redis.call('ZADD', P .. 'kids:' .. a, top, owner) end
  end
  retree(owner)
  for _, a in ipairs(ancs) do retree(a) end
end

-- unattribute drops value at owner from its writer's quota set.
local function unattribute(owner, value)
  local by = P .. 'by:' .. owner
  local w = redis.call('HGET', by, value)
  if w then
    redis.call('ZREM', P .. 'wv:' .. w, owner .. '\0' .. value)
    redis.call('HDEL', by, value)
  end
end

-- readOwners reads "owner, n, ancestor1..n" groups from ARGV at i.
local function readOwners(i, count)
  local out = {}
  for k = 1, count do
    local n = tonumber(ARGV[i + 1])
    local o = {name = ARGV[i], ancs = {}}
    for j = 1, n do o.ancs[j] = ARGV[i + 1 + j] end
    out[k] = o
    i = i + 2 + n
  end
  return out, i
end
`

// applyScript: ARGV = P, now, cap, writer, quota, byte cap, #prereqs,
// {kind, owner, #values, values...}, #changes, {op, owner, value, expiry},
// #owners, {owner, #ancestors, ancestors...}. Checks first, writes after,
// so a refusal changes nothing. Returns {0}, {1, index, kind}, {2, owner,
// n}, {3, n} or {4, owner, bytes}. rrBytes is store.RRBytes.
var applyScript = redis.NewScript(luaLib + `
local cap, writer, quota = tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local bcap = tonumber(ARGV[6])
local now = tonumber(NOW)
local i = 7

local function rrBytes(v)
  return #v + math.max(1, math.ceil(#v / 255)) + 12
end
local prereqs = {}
for k = 1, tonumber(ARGV[i]) do
  local p = {kind = tonumber(ARGV[i + 1]), owner = ARGV[i + 2], vals = {}, n = 0}
  local nv = tonumber(ARGV[i + 3])
  for j = 1, nv do
    if not p.vals[ARGV[i + 3 + j]] then p.n = p.n + 1 end
    p.vals[ARGV[i + 3 + j]] = true
  end
  prereqs[k] = p
  i = i + 3 + nv
end
i = i + 1
local changes = {}
for k = 1, tonumber(ARGV[i]) do
  changes[k] = {op = tonumber(ARGV[i + 1]), owner = ARGV[i + 2], value = ARGV[i + 3],
    exp = ARGV[i + 4]}
  i = i + 4
end
local touched = readOwners(i + 2, tonumber(ARGV[i + 1]))

for k, p in ipairs(prereqs) do
  local vs = live(p.owner)
  local ok
  if p.kind == 0 or p.kind == 3 then
    ok = #vs > 0
  elseif p.kind == 2 or p.kind == 4 then
    ok = #vs == 0
  else
    ok = p.n == #vs
    for _, v in ipairs(vs) do ok = ok and p.vals[v] == true end
  end
  if not ok then return {1, k - 1, p.kind} end
end

-- Simulate the changes to check the caps: the live values of each owner
-- (read only when a per-owner cap is set), and the writer's live count
-- plus the change of each member the update touches.
local sim, added, adds = {}, {}, false
local WV = P .. 'wv:' .. writer
local wq = quota > 0 and writer ~= ''
local wbase, winit, wsim = 0, {}, {}
if wq then wbase = redis.call('ZCOUNT', WV, '(' .. NOW, '+inf') end
local function wset(m, alive)
  if not wq then return end
  if winit[m] == nil then
    local sc = redis.call('ZSCORE', WV, m)
    winit[m] = (sc and tonumber(sc) > now) or false
  end
  wsim[m] = alive
end
for _, c in ipairs(changes) do
  if not sim[c.owner] then
    local s = {}
    if cap > 0 or bcap > 0 then
      for _, v in ipairs(live(c.owner)) do s[v] = true end
    end
    sim[c.owner] = s
  end
  local s, m = sim[c.owner], c.owner .. '\0' .. c.value
  if c.op == 0 then
    adds, added[c.owner] = true, true
    local alive = tonumber(c.exp) > now
    s[c.value] = alive or nil
    wset(m, alive)
  elseif c.op == 1 then
    s[c.value] = nil
    wset(m, false)
  else
    sim[c.owner] = {}
    local pre = c.owner .. '\0'
    for w in pairs(wsim) do
      if string.sub(w, 1, #pre) == pre then wsim[w] = false end
    end
    if wq then
      local by = redis.call('HGETALL', P .. 'by:' .. c.owner)
      for k = 1, #by, 2 do
        if by[k + 1] == writer then wset(pre .. by[k], false) end
      end
    end
  end
end
for _, o in ipairs(touched) do
  if added[o.name] and (cap > 0 or bcap > 0) then
    local n, b = 0, 0
    for v in pairs(sim[o.name]) do n, b = n + 1, b + rrBytes(v) end
    if cap > 0 and n > cap then return {2, o.name, n} end
    if bcap > 0 and b > bcap then return {4, o.name, b} end
  end
end
if adds and wq then
  local n = wbase
  for m, alive in pairs(wsim) do
    if alive and not winit[m] then n = n + 1 end
    if winit[m] and not alive then n = n - 1 end
  end
  if n > quota then return {3, n} end
end

for _, c in ipairs(changes) do
  local rr = P .. 'rr:' .. c.owner
  if c.op == 0 then
    unattribute(c.owner, c.value)
    redis.call('ZADD', rr, c.exp, c.value)
    redis.call('ZADD', P .. 'live', c.exp, c.owner .. '\0' .. c.value)
    if writer ~= '' then
      redis.call('HSET', P .. 'by:' .. c.owner, c.value, writer)
      redis.call('ZADD', P .. 'wv:' .. writer, c.exp, c.owner .. '\0' .. c.value)
    end
  elseif c.op == 1 then
    unattribute(c.owner, c.value)
    redis.call('ZREM', rr, c.value)
    redis.call('ZREM', P .. 'live', c.owner .. '\0' .. c.value)
  else
    local by = redis.call('HGETALL', P .. 'by:' .. c.owner)
    for k = 1, #by, 2 do
      redis.call('ZREM', P .. 'wv:' .. by[k + 1], c.owner .. '\0' .. by[k])
    end
    for _, v in ipairs(redis.call('ZRANGE', rr, 0, -1)) do
      redis.call('ZREM', P .. 'live', c.owner .. '\0' .. v)
    end
    redis.call('DEL', rr, P .. 'by:' .. c.owner)
  end
end
for _, o in ipairs(touched) do refresh(o.name, o.ancs) end
return {0}
`)

// sweepScript: ARGV = P, now, #owners, {owner, #ancestors, ancestors...}.
// Deletes the values of those owners expired at now and returns how many.
var sweepScript = redis.NewScript(luaLib + `
local owners = readOwners(4, tonumber(ARGV[3]))
local removed = 0
for _, o in ipairs(owners) do
  local rr = P .. 'rr:' .. o.name
  local dead = redis.call('ZRANGE', rr, '-inf', NOW, 'BYSCORE')
  for _, v in ipairs(dead) do
    unattribute(o.name, v)
    redis.call('ZREM', P .. 'live', o.name .. '\0' .. v)
  end
  if #dead > 0 then redis.call('ZREMRANGEBYSCORE', rr, '-inf', NOW) end
  removed = removed + #dead
  refresh(o.name, o.ancs)
end
return removed
`)

// rateScript: KEYS[1] = the window's counter, ARGV[1] = window in ms.
var rateScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`)
