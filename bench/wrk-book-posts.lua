-- wrk script for bench/bookings.ts: bookings, each on a slot of its own, as booking form posts
-- without JavaScript (BENCH_KIND=form, booked: 303) or as the JSON API's POST /api/v1/bookings
-- with an Idempotency-Key of their own (BENCH_KIND=api, booked: 201). Request n (counted across
-- wrk's threads) books host (n mod HOSTS) at its (SLOT_BASE + floor(n / HOSTS))-th quarter hour
-- after DAY0, as guest "b<SLOT_BASE>-<n>", so no two posts of a run, nor of two runs with
-- different SLOT_BASEs, compete for a slot or a guest's hold. Every answer is tallied: booked and
-- anything else, printed by done().
local threads_n = tonumber(os.getenv("BENCH_THREADS"))
local hosts = tonumber(os.getenv("BENCH_HOSTS"))
local slot_base = tonumber(os.getenv("BENCH_SLOT_BASE"))
local day0 = tonumber(os.getenv("BENCH_DAY0_S"))
local slot_s = tonumber(os.getenv("BENCH_SLOT_S"))
local api = os.getenv("BENCH_KIND") == "api"
local booked_status = api and 201 or 303
local headers = {
  ["content-type"] = "application/x-www-form-urlencoded",
  ["accept"] = "text/html",
  ["origin"] = os.getenv("BENCH_ORIGIN"),
}

local made = 0
local all = {}
function setup(thread)
  thread:set("tid", made)
  made = made + 1
  table.insert(all, thread)
end

function init(args)
  sent = 0
  booked = 0
  other = 0
  first_other = ""
end

function request()
  local n = sent * threads_n + tid
  sent = sent + 1
  local start = os.date("!%Y-%m-%dT%H:%M:%SZ", day0 + (slot_base + math.floor(n / hosts)) * slot_s)
  if api then
    local h = {
      ["content-type"] = "application/json",
      ["idempotency-key"] = "bench-" .. slot_base .. "-" .. n,
    }
    local json = '{"username":"host' .. (n % hosts) .. '","eventType":"call","start":"' .. start ..
      '","timeZone":"UTC","name":"Api ' .. n .. '","email":"b' .. slot_base .. "-" .. n ..
      '@example.test"}'
    return wrk.format("POST", "/api/v1/bookings", h, json)
  end
  local body = "name=Web+" .. n .. "&email=b" .. slot_base .. "-" .. n ..
    "%40example.test&note=&start=" .. start .. "&tz=UTC"
  return wrk.format("POST", "/calendar/host" .. (n % hosts) .. "/call?/book", headers, body)
end

function response(status, headers, body)
  if status == booked_status then
    booked = booked + 1
  else
    other = other + 1
    if first_other == "" then first_other = status .. " " .. string.sub(body or "", 1, 120) end
  end
end

function done(summary, latency, requests)
  local b, o, first = 0, 0, ""
  for _, t in ipairs(all) do
    b = b + t:get("booked")
    o = o + t:get("other")
    if first == "" then first = t:get("first_other") end
  end
  io.write(string.format("BOOKED %d OTHER %d\n", b, o))
  if first ~= "" then io.write("FIRST_OTHER " .. string.gsub(first, "\n", " ") .. "\n") end
end
