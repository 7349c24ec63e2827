"""Together's official Python SDK, for `make bench`: client.videos.retrieve N times on
one client (kept-alive connection), printing one JSON line."""
import json
import sys
import time

from together import Together

base_origin, calls = sys.argv[1], int(sys.argv[2])
started = time.perf_counter()
client = Together(api_key="bench-key", base_url=base_origin, max_retries=0)
client.videos.retrieve("vid_completed")
cold_start = time.perf_counter() - started
for _ in range(200):
    client.videos.retrieve("vid_completed")
started = time.perf_counter()
for _ in range(calls):
    video = client.videos.retrieve("vid_completed")
    assert video.id == "vid_completed"
seconds = time.perf_counter() - started
print(json.dumps({
    "contender": "Together Python SDK", "threads": 1, "calls": calls, "seconds": round(seconds, 4),
    "calls_per_second": round(calls / seconds, 1), "cold_start_ms": round(cold_start * 1000, 3), "tls": False,
}))
