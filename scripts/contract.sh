#!/usr/bin/env bash
# Runs the contract tests: installs Prism from tests/contract/package-lock.json when
# missing, serves Together's spec twice on loopback (validating, and dynamic -d), runs
# `cargo test --test contract -- --ignored`, and stops Prism.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top/tests/contract"
[ -x node_modules/.bin/prism ] || npm ci --no-audit --no-fund --loglevel=error
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
static_port=$(free_port)
dynamic_port=$(free_port)
node_modules/.bin/prism mock -h 127.0.0.1 -p "$static_port" together-openapi.yaml > "$top/target/prism.log" 2>&1 &
static_pid=$!
node_modules/.bin/prism mock -d -h 127.0.0.1 -p "$dynamic_port" together-openapi.yaml > "$top/target/prism-dynamic.log" 2>&1 &
dynamic_pid=$!
trap 'kill $static_pid $dynamic_pid 2>/dev/null || true' EXIT
for port in "$static_port" "$dynamic_port"; do
  for _ in $(seq 1 120); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.25
  done
done
cd "$top"
TV_PRISM_URL="http://127.0.0.1:$static_port" TV_PRISM_DYNAMIC_URL="http://127.0.0.1:$dynamic_port" \
  cargo test --test contract -- --ignored
