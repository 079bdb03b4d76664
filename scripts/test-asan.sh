#!/usr/bin/env bash
# The whole tap suite on an AddressSanitizer + UBSan build of the addon.
# The sanitizer build lives in build-asan/ (a copy of the build files), never in build/, so it can
# not shadow the release build; RINGPOLL_PREBUILD points node-gyp-build at it for this run only.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/ensure-built.js   # dist/ for the tests

out=build-asan
rm -rf "$out"
mkdir -p "$out"
cp -r binding.gyp native "$out"/
(cd "$out" && node ../scripts/node-gyp.js rebuild --debug --asan=1 --ubsan=1 -j 2 >build.log 2>&1) || {
  cat "$out/build.log"
  exit 1
}
ls "$out/build/Debug/ringpoll.node" >/dev/null

asan=$(gcc -print-file-name=libasan.so)
ubsan=$(gcc -print-file-name=libubsan.so)
export RINGPOLL_PREBUILD="$PWD/$out"
export LD_PRELOAD="$asan:$ubsan"
# Node itself is not leak-clean; UBSan findings are errors.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
node scripts/tap.js "$@"
