#!/usr/bin/env bash
# `make bench`: every contender against the same nginx on loopback, in one run; writes
# docs/benchmarks.md and docs/benchmarks.png. Expects what the Makefile's bench target
# installs: nginx, libcurl's headers, Mono with System.Net.Http, valgrind, and a Python
# venv with Together's SDK and matplotlib at target/bench/venv.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out="$top/target/bench"
calls=${BENCH_CALLS:-20000}
# The C pairs run longer: their ratios are the headline, and short runs are noisy.
c_calls=${BENCH_C_CALLS:-60000}
mkdir -p "$out"
results="$out/results.jsonl"
: > "$results"
cd "$top"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
https_port=$(free_port)
job=$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), separators=(",", ":")).replace("{{origin}}", sys.argv[2]))' \
  tests/fixtures/videos/vid_completed.json "http://127.0.0.1:$http_port")
sed -e "s|@DIR@|$out|g; s|@TOP@|$top|g; s|@HTTP_PORT@|$http_port|g; s|@HTTPS_PORT@|$https_port|g" \
    -e "s|@JOB@|$job|g" scripts/bench/nginx.conf.in > "$out/nginx.conf"
nginx -c "$out/nginx.conf" -p "$out" &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null || true; wait $nginx_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf -o /dev/null "http://127.0.0.1:$http_port/v2/videos/x" && break
  sleep 0.1
done
base="http://127.0.0.1:$http_port/v2"
tls_base="https://127.0.0.1:$https_port/v2"
ca="$top/tests/fixtures/tls/ca.pem"

echo "== C: this library and libcurl, 1, 4 and 16 threads"
cc -O2 -std=c11 -Wall -Wextra -Werror -Iinclude -o "$out/bench" scripts/bench/bench.c \
  target/release/libtogether_video.a -lcurl -lpthread -ldl -lm -lrt -lutil -lgcc_s
# Loopback latency on a shared 2-core machine drifts: each pair runs back to back, five
# times; the report gives the median of the five ratios and each contender's best run.
in_round() { sed "s/}\$/, \"round\": $1}/"; }
for round in 1 2 3 4 5; do
  for threads in 1 4 16; do
    for contender in library curl; do
      "$out/bench" $contender "$base" "$c_calls" $threads | in_round $round | tee -a "$results"
    done
  done
done
echo "== C: the cost of a log callback that discards every event (info, trace)"
for round in 1 2 3; do
  for contender in library library-log-info library-log-trace; do
    "$out/bench" $contender "$base" "$c_calls" 1 | sed "s/}\$/, \"log_round\": $round}/" | tee -a "$results"
  done
done
echo "== many jobs on one client: 10 000 concurrent waits"
cc -O2 -std=c11 -Wall -Wextra -Werror -Iinclude -o "$out/many_jobs" scripts/bench/many_jobs.c \
  target/release/libtogether_video.a -lpthread -ldl -lm -lrt -lutil -lgcc_s
many_jobs=$(scripts/with-mock.sh target/release/tv-mock --api-key bench-key -- \
  sh -c "'$out/many_jobs' \$TV_MOCK_URL 10000 4000")
echo "$many_jobs"
many_go=$(scripts/with-mock.sh target/release/tv-mock --api-key bench-key -- sh -c \
  'cd bindings/go/togethervideo && TV_BENCH_URL=$TV_MOCK_URL TV_BENCH_KEY=bench-key go test -count=1 -run TestManyWaitsFigures -v .' \
  | grep '^{"')
echo "$many_go"
mcs -langversion:7.2 -nologo -target:exe -out:"$out/ManyWaits.exe" -r:target/csharp/TogetherVideo.dll bindings/csharp/bench/ManyWaits.cs
cp target/csharp/TogetherVideo.dll "$out/"
many_csharp=$(scripts/with-mock.sh target/release/tv-mock --api-key bench-key -- sh -c \
  "TV_BENCH_URL=\$TV_MOCK_URL TV_BENCH_KEY=bench-key LD_LIBRARY_PATH='$top/target/release' mono '$out/ManyWaits.exe'")
echo "$many_csharp"
echo "== C over TLS"
for round in 1 2 3; do
  for contender in library curl; do
    "$out/bench" $contender "$tls_base" "$c_calls" 1 "$ca" | in_round $round | tee -a "$results"
  done
done

echo "== Together's Python SDK"
"$out/venv/bin/python" scripts/bench/bench_python.py "http://127.0.0.1:$http_port" $((calls / 4)) | tee -a "$results"

echo "== Go: the binding and net/http"
(cd bindings/go/togethervideo && TV_BENCH_URL="$base" go test -run XXX -bench GetVideo -benchtime "${calls}x" ./...) \
  | awk -v calls="$calls" '/^Benchmark/ {
      name = ($1 ~ /NetHTTP/) ? "Go net/http + encoding/json" : "together-video (Go)";
      printf "{\"contender\": \"%s\", \"threads\": 1, \"calls\": %d, \"calls_per_second\": %.1f, \"tls\": false}\n", name, calls, 1e9 / $3 }' \
  | tee -a "$results"

echo "== C#: the binding and HttpClient under Mono"
mcs -langversion:7.2 -nologo -target:exe -out:"$out/Bench.exe" -r:target/csharp/TogetherVideo.dll -r:System.Net.Http.dll scripts/bench/Bench.cs
cp target/csharp/TogetherVideo.dll "$out/"
LD_LIBRARY_PATH="$top/target/release" mono "$out/Bench.exe" "$base" "$calls" | tee -a "$results"
echo "== C#: blocking and async calls of the binding (bindings/csharp/bench), under Mono and CoreCLR"
mcs -langversion:7.2 -nologo -sdk:4.7.2-api -target:exe -out:"$out/AsyncBench.exe" -r:target/csharp/TogetherVideo.dll \
  bindings/csharp/bench/Bench.cs bindings/csharp/bench/CApiCalls.cs
cp target/coreclr/runtimeconfig.json "$out/AsyncBench.runtimeconfig.json"
# Pinned, as the placement decides a loopback round trip: "own CPUs" puts nginx's worker
# on one CPU and the client on another, so each reply wakes an idle CPU as a remote
# server's would; "one CPU" puts both on CPU 0, so the client's CPU time is paid in full.
nginx_worker=$(pgrep -P "$nginx_pid" | head -1)
all_cpus=$(taskset -pc "$nginx_worker" | sed 's/.*: //')
# async_bench PLACEMENT CLIENT_CPU SERVER_CPU RUNTIME_COMMAND...
async_bench() {
  taskset -pc "$3" "$nginx_worker" > /dev/null
  TV_BENCH_PLACEMENT=$1 TV_BENCH_CALLS=2000 TV_BENCH_ROUNDS=7 TV_BENCH_URL="$base" TV_BENCH_KEY=bench-key \
    LD_LIBRARY_PATH="$top/target/release" taskset -c "$2" "${@:4}" "$out/AsyncBench.exe" | tee -a "$out/csharp_async.jsonl"
  taskset -pc "$all_cpus" "$nginx_worker" > /dev/null
}
: > "$out/csharp_async.jsonl"
for runtime in mono coreclr; do
  command=(mono)
  [ "$runtime" = coreclr ] && command=("$top/target/coreclr/dotnet" exec)
  if [ "$(nproc)" -ge 2 ]; then
    async_bench "own CPUs" 0 1 "${command[@]}"
  fi
  async_bench "one CPU" 0 0 "${command[@]}"
done

echo "== instructions per call (callgrind), resident memory over 100 000 calls, sizes"
instructions() {
  local contender=$1 total
  for n in 200 1200; do
    valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.$contender.$n" "$out/bench" $contender "$base" $n 1 > /dev/null 2>&1
  done
  python3 - "$out/callgrind.$contender.200" "$out/callgrind.$contender.1200" <<'PY'
import sys
def total(path):
    for line in open(path):
        if line.startswith("totals:") or line.startswith("summary:"):
            return int(line.split()[1])
print((total(sys.argv[2]) - total(sys.argv[1])) // 1000)
PY
}
library_ir=$(instructions library)
curl_ir=$(instructions curl)
log_info_ir=$(instructions library-log-info)
log_trace_ir=$(instructions library-log-trace)
rss=$("$out/bench" library "$base" 100000 1)
strip -o "$out/libtogether_video.stripped.so" target/release/libtogether_video.so
# The other targets' shared libraries (make cross), stripped with their own tools.
aarch64-linux-gnu-strip -o "$out/arm64.stripped.so" target/aarch64-unknown-linux-gnu/release/libtogether_video.so
x86_64-w64-mingw32-strip -o "$out/windows.stripped.dll" target/x86_64-pc-windows-gnu/release/together_video.dll
cc -O2 -Iinclude -o "$out/static_get_video" examples/get_video.c -Wl,--gc-sections target/release/libtogether_video.a \
  -lpthread -ldl -lm -lrt -lutil -lgcc_s
strip "$out/static_get_video"
python3 - "$out/extras.json" "$library_ir" "$curl_ir" "$rss" "$out/libtogether_video.stripped.so" "$out/static_get_video" \
  "$log_info_ir" "$log_trace_ir" "$many_jobs" "$many_go" "$many_csharp" <<PY
import json, os, platform, subprocess, sys
path, library_ir, curl_ir, rss, so, static, log_info_ir, log_trace_ir, many_jobs, many_go, many_csharp = sys.argv[1:12]
rss = json.loads(rss)
def version(command):
    try:
        return subprocess.run(command, capture_output=True, text=True, shell=True).stdout.strip().splitlines()[0]
    except Exception:
        return "?"
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
json.dump({
    "machine": f"{cpu}, {os.cpu_count()} cores, Linux {platform.release()}",
    "versions": {
        "together-video": version("sed -n 's/^version = \"\\\\(.*\\\\)\"/\\\\1/p' Cargo.toml | head -1"),
        "rustc": version("rustc --version"),
        "libcurl": version("curl-config --version"),
        "nginx": version("nginx -v 2>&1"),
        "Python SDK": version("$out/venv/bin/pip show together | grep Version"),
        "Go": version("go version"),
        "Mono": version("mono --version"),
        "CoreCLR": version("target/coreclr/dotnet --list-runtimes | cut -d' ' -f1-2"),
    },
    "instructions": {"library": int(library_ir), "curl": int(curl_ir),
                     "log_info": int(log_info_ir), "log_trace": int(log_trace_ir)},
    "rss": {"calls": rss["calls"], "warm_kib": rss["rss_kib_warm"], "after_kib": rss["rss_kib_after"]},
    "sizes": {"so": os.path.getsize(so), "static": os.path.getsize(static)},
    "many_jobs": json.loads(many_jobs),
    "many_bindings": [json.loads(many_go), json.loads(many_csharp)],
    "csharp_async": [json.loads(line) for line in open("$out/csharp_async.jsonl") if line.strip()],
    "target_sizes": {
        "Linux arm64 (libtogether_video.so)": os.path.getsize("$out/arm64.stripped.so"),
        "Windows x64 (together_video.dll)": os.path.getsize("$out/windows.stripped.dll"),
    },
}, open(path, "w"), indent=1)
PY
"$out/venv/bin/python" scripts/bench/report.py "$results" "$out/extras.json" docs/benchmarks.md docs/benchmarks.png
