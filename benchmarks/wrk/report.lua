-- Appended to every wrk script the harness runs: one machine-readable line with the figures
-- the report needs (wrk's own summary is for people).
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,'
      .. '"write_errors":%d,"status_errors":%d,"timeouts":%d,'
      .. '"latency_mean_us":%.1f,"latency_p50_us":%.1f,"latency_p90_us":%.1f,'
      .. '"latency_p99_us":%.1f,"latency_max_us":%.1f}\n',
    summary.requests, summary.duration, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout, latency.mean, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max))
end
