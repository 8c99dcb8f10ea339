-- wrk script of compare.sh's keep-alive workload: no request() of its own (wrk sends its static
-- GET, one at a time per connection), only a machine-readable summary at the end.
-- Every complete HTTP response wrk parses counts as one request in summary.requests.

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK-RESULT requests=%d bytes=%d duration_us=%d errors=%d status_errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.bytes, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
