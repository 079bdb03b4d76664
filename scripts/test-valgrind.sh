#!/usr/bin/env bash
# A representative part of the tap suite under valgrind memcheck, on the release build of the
# addon: every memory error and every definite leak fails the run. scripts/valgrind.supp holds the
# few suppressions Node itself needs (none is for ringpoll's code).
# Each file runs on its own under valgrind (tap's runner would hide the child processes from it);
# the model test replays one fixed seed so that a report can be reproduced.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/ensure-built.js

if ! command -v valgrind >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends valgrind >/dev/null
fi

files=(reader writer writev echo peer-close backpressure bad-input model-linkbuffer
  fault-peer-close fault-reentrancy fault-slow-reader)
logs=$(mktemp -d)
failed=0
for name in "${files[@]}"; do
  log="$logs/$name.log"
  status=0
  RINGPOLL_SEED=${RINGPOLL_SEED:-20240601} valgrind --tool=memcheck --error-exitcode=99 \
    --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
    --suppressions=scripts/valgrind.supp --num-callers=40 --log-file="$log" \
    node "test/$name.test.mjs" >"$logs/$name.tap" || status=$?
  errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log")
  lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log")
  tests=$(sed -n 's/^# { \(total.*\) }/\1/p' "$logs/$name.tap" | tail -1)
  echo "$name: ${errors:-?} errors, ${lost:-0} bytes definitely lost; tap: ${tests:-no summary}"
  if [ "$status" -ne 0 ]; then
    failed=1
    if [ "$status" -eq 99 ]; then cat "$log"; else tail -40 "$logs/$name.tap"; fi
  fi
done
rm -rf "$logs"
if [ "$failed" -ne 0 ]; then
  echo "valgrind: FAILED"
  exit 1
fi
echo "valgrind: ${#files[@]} files, 0 errors, 0 bytes definitely lost"
