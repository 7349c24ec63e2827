#!/usr/bin/env bash
# Usage: scripts/with-mock.sh MOCK_BINARY [--api-key KEY] -- COMMAND...
# Starts the mock of Together's API on a free loopback port, runs COMMAND with
# TV_MOCK_URL set to its base URL (http://127.0.0.1:PORT/v2), stops the mock, and
# exits with COMMAND's status.
set -euo pipefail
mock=$1; shift
mock_args=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do mock_args+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift

out=$(mktemp)
"$mock" "${mock_args[@]}" >"$out" &
mock_pid=$!
trap 'kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 100); do
  [ -s "$out" ] && break
  kill -0 "$mock_pid" 2>/dev/null || { echo "with-mock: the mock did not start" >&2; exit 1; }
  sleep 0.05
done
TV_MOCK_URL=$(head -n 1 "$out")
[ -n "$TV_MOCK_URL" ] || { echo "with-mock: the mock printed no URL" >&2; exit 1; }
export TV_MOCK_URL
"$@"
