#!/usr/bin/env bash
# Usage: scripts/run-examples.sh [-C DIR] [-s SUFFIX] [-q] PROGRAM... [-- RUNNER...]
#
# Runs built example programs against the mock at $TV_MOCK_URL (so under
# scripts/with-mock.sh), each from DIR as `RUNNER... ./PROGRAM$SUFFIX ARGS...` with the
# arguments and checks below, as a user would: TOGETHER_API_KEY and TOGETHER_BASE_URL
# set, DEMO_POLL_MS=20 (the mock moves a job on at once). The one list of how each
# example is run, shared by the native build (valgrind as the runner) and
# scripts/cross-test.sh (wine, qemu-aarch64, or nothing), so the two cannot drift.
#
#   readme_quick_start  the README's C quick start: looks up video_abc123, which the
#                       mock does not have; must say so and exit 0
#   get_video           vid_completed vid_failed: both looked up and shown
#   journey             create, wait, download to journey-test.mp4 (not empty)
#   game_loop           twice: vid_completed ends completed, vid_failed ends failed
#   event_loop          4 jobs through the event queue, each downloaded
#   cpp_journey         the C++ journey, to cpp-journey-test.mp4 (not empty)
#
# Each program's output (stdout and stderr) goes to DIR/PROGRAM.out, shown on failure.
# Prints "examples: N passed, N failed" (not with -q) and exits non-zero on any failure.
# SUFFIX is .exe for Windows programs.
set -uo pipefail

dir=. suffix= quiet=
while getopts C:s:q option; do
  case $option in
    C) dir=$OPTARG ;;
    s) suffix=$OPTARG ;;
    q) quiet=1 ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
programs=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do programs+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
runner=("$@")
[ ${#programs[@]} -gt 0 ] || { echo "usage: $0 [-C DIR] [-s SUFFIX] [-q] PROGRAM... [-- RUNNER...]" >&2; exit 2; }
[ -n "${TV_MOCK_URL:-}" ] || { echo "run-examples: TV_MOCK_URL is not set (run under scripts/with-mock.sh)" >&2; exit 2; }
cd "$dir" || exit 2
export TOGETHER_API_KEY=test-key TOGETHER_BASE_URL=$TV_MOCK_URL NO_PROXY=127.0.0.1 DEMO_POLL_MS=20
passed=0 failed=0

# example NAME ARGS... -- CHECK...: runs ./NAME$suffix ARGS under the runner, output to
# NAME.out; passes when it exits 0 and CHECK (a command, run here) succeeds.
example() {
  local name=$1 args=() status=0 why
  shift
  while [ "$1" != "--" ]; do args+=("$1"); shift; done
  shift
  "${runner[@]}" "./$name$suffix" "${args[@]}" > "$name.out" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    why="exit status $status"
  elif ! "$@"; then
    why="check failed: $*"
  else
    passed=$((passed + 1))
    return 0
  fi
  failed=$((failed + 1))
  echo "run-examples: $name ${args[*]} failed ($why); its output:" >&2
  sed 's/^/  | /' "$name.out" >&2
}
says() { grep -q -- "$1" "$2"; }   # says TEXT FILE
says_all() { # FILE TEXT...
  local file=$1 text
  shift
  for text in "$@"; do grep -q -- "$text" "$file" || return 1; done
}

for program in "${programs[@]}"; do
  case $program in
    readme_quick_start)
      example readme_quick_start -- says video_abc123 readme_quick_start.out ;;
    get_video)
      example get_video vid_completed vid_failed -- \
        says_all get_video.out 'status    completed' 'content_policy_violation' ;;
    journey)
      rm -f journey-test.mp4
      example journey journey-test.mp4 -- test -s journey-test.mp4
      rm -f journey-test.mp4 ;;
    game_loop)
      example game_loop vid_completed -- says 'vid_completed is completed' game_loop.out
      example game_loop vid_failed -- says 'vid_failed is failed' game_loop.out ;;
    event_loop)
      rm -f event-loop-*.mp4
      example event_loop 4 m -- sh -c 'grep -q "4 jobs in .* frames, 0 failed" event_loop.out &&
        for n in 0 1 2 3; do test -s event-loop-$n.mp4 || exit 1; done'
      rm -f event-loop-*.mp4 ;;
    cpp_journey)
      rm -f cpp-journey-test.mp4
      example cpp_journey cpp-journey-test.mp4 -- test -s cpp-journey-test.mp4
      rm -f cpp-journey-test.mp4 ;;
    *)
      echo "run-examples: no such example: $program" >&2
      failed=$((failed + 1)) ;;
  esac
done

[ -n "$quiet" ] || echo "examples: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
