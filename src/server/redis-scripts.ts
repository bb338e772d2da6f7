// The Lua scripts of the Redis store: one script per store operation, so each operation is one
// EVALSHA that Redis runs atomically. A crash (of imsim, of the connection) before the script
// runs changes nothing; after it ran, everything it did is there. Nothing half-done is possible.
//
// A stored message is one List element (queue protocol) or one Sorted Set member scored by its
// version (versioned protocol), encoded as the JSON array [id,"from","cmid","body"]: any body
// survives (quotes, CR/LF, NUL, any Unicode), redis-cli shows it readably, and the id at the front
// makes every member unique and lets the scripts read it with one pattern match.

/** The Lua helper that reads the id at the front of an encoded message. */
const ID_OF = `local function idOf(m) return tonumber(string.match(m, '^%[(%d+),')) end`;

/**
 * append: KEYS = mailbox, counter, dedup key; ARGV = mode, encoded message without its id
 * (`"from","cmid","body"]`), dedup lifetime in seconds, the mailbox's cap (queue: most messages the List
 * holds unacknowledged, a send beyond is refused; versioned: history kept, older versions are trimmed),
 * the body's short hash (bodyHash). The dedup key holds `<id>:<body hash>` (a bare `<id>` from before
 * hashes were kept counts as the same body).
 * Returns {id, 0} when stored, {original id, 1} for a retried send already stored, {original id, 2}
 * when that cmid was used for another body, {cap, 3} when refused because the queue List is full.
 */
export const APPEND_LUA = `
local prior = redis.call('GET', KEYS[3])
if prior then
  local pid, phash = string.match(prior, '^(%d+):?(%x*)$')
  if phash ~= '' and phash ~= ARGV[5] then return {tonumber(pid), 2} end
  return {tonumber(pid), 1}
end
if ARGV[1] == 'queue' and redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[4]) then return {tonumber(ARGV[4]), 3} end
local id = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[3], string.format('%d', id) .. ':' .. ARGV[5], 'EX', ARGV[3])
local member = '[' .. string.format('%d', id) .. ',' .. ARGV[2]
if ARGV[1] == 'queue' then
  redis.call('RPUSH', KEYS[1], member)
else
  redis.call('ZADD', KEYS[1], id, member)
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -1 - tonumber(ARGV[4]))
end
return {id, 0}
`;

/**
 * range: KEYS = mailbox, counter; ARGV = mode, after, limit.
 * Returns {latest, oldest, message...}: the messages with id > after, oldest first, at most limit;
 * latest = the counter; oldest = the first id still kept (latest + 1 when none; 0 for a user never written to).
 * A List keeps ids ascending (RPUSH of an increasing counter, removals only), so a binary search finds `after`.
 */
export const RANGE_LUA = `
${ID_OF}
local latest = tonumber(redis.call('GET', KEYS[2]) or '0')
if latest == 0 then return {0, 0} end
local after = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local out = {latest, latest + 1}
if ARGV[1] == 'queue' then
  local n = redis.call('LLEN', KEYS[1])
  if n == 0 then return out end
  out[2] = idOf(redis.call('LINDEX', KEYS[1], 0))
  local lo, hi = 0, n
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if idOf(redis.call('LINDEX', KEYS[1], mid)) > after then hi = mid else lo = mid + 1 end
  end
  if lo < n and limit > 0 then
    local page = redis.call('LRANGE', KEYS[1], lo, math.min(n - 1, lo + limit - 1))
    for i = 1, #page do out[i + 2] = page[i] end
  end
else
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if #first == 0 then return out end
  out[2] = tonumber(first[2])
  if limit > 0 then
    local page = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[2], '+inf', 'LIMIT', 0, ARGV[3])
    for i = 1, #page do out[i + 2] = page[i] end
  end
end
return out
`;

/**
 * ack: KEYS = the queue List; ARGV = ids. Removes those messages; returns how many were removed.
 * Acknowledged ids are the oldest as a rule: the List is read from the head, a page at a time,
 * only as far as the largest acknowledged id.
 */
export const ACK_LUA = `
${ID_OF}
local want, left, maxId = {}, 0, -1
for i = 1, #ARGV do
  local id = tonumber(ARGV[i])
  if not want[id] then want[id] = true; left = left + 1 end
  if id > maxId then maxId = id end
end
local drop = {}
local n = redis.call('LLEN', KEYS[1])
local start = 0
while start < n and left > 0 do
  local page = redis.call('LRANGE', KEYS[1], start, start + 127)
  for i = 1, #page do
    local id = idOf(page[i])
    if id > maxId then left = 0; break end
    if want[id] then want[id] = nil; left = left - 1; drop[#drop + 1] = page[i] end
  end
  start = start + 128
end
local removed = 0
for i = 1, #drop do removed = removed + redis.call('LREM', KEYS[1], 1, drop[i]) end
return removed
`;
