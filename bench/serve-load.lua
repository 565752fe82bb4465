-- serve-load.lua -- wrk script of bench/serve-load.sh: POST /v1/calculate
-- with the request bodies named in $BODIES (files, ':' between them), in
-- turn; prints the figures the benchmark reports.
local bodies = {}
for path in string.gmatch(os.getenv("BODIES") or "", "[^:]+") do
    local f = assert(io.open(path, "r"))
    bodies[#bodies + 1] = f:read("*a")
    f:close()
end
local n = 0

request = function()
    n = n % #bodies + 1
    return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, bodies[n])
end

done = function(summary, latency, requests)
    local e = summary.errors
    local errors = e.connect + e.read + e.write + e.status + e.timeout
    io.write(string.format("requests %d\n", summary.requests))
    io.write(string.format("requests_per_second %.0f\n", summary.requests / (summary.duration / 1e6)))
    io.write(string.format("latency_p50_ms %.2f\n", latency:percentile(50) / 1000))
    io.write(string.format("latency_p99_ms %.2f\n", latency:percentile(99) / 1000))
    io.write(string.format("errors %d (connect %d, read %d, write %d, status %d, timeout %d)\n", errors,
                           e.connect, e.read, e.write, e.status, e.timeout))
end
