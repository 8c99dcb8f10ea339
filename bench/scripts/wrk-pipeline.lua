-- wrk script of compare.sh's pipelined workload: each request() call returns DEPTH GETs in one
-- string (default 16; pass another after "--"). wrk parses the string once at start-up to learn
-- that it holds DEPTH requests, writes it as one batch, and writes the next batch on a connection
-- only after DEPTH responses have come back on it. Each response counts as one request in wrk's
-- totals and in summary.requests, so req/s here is responses per second, not batches per second
-- (check: summary.bytes / summary.requests equals the size of one response).
-- wrk times each response from the start of its batch's write, so latency here is not comparable
-- with the keep-alive workload's; compare it only between servers.

local depth = 16
local batch

function init(args)
  depth = tonumber(args[1]) or depth
  local requests = {}
  for i = 1, depth do
    requests[i] = wrk.format("GET") -- the path of the URL given to wrk
  end
  batch = table.concat(requests)
end

function request()
  return batch
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK-RESULT requests=%d bytes=%d duration_us=%d errors=%d status_errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.bytes, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
