#!/usr/bin/env bash
# Builds test/native/shm_peer (the hostile shm-lane peer of test/shm-hostile.test.mjs) with g++
# (CXX overrides), warnings as errors and ASan/UBSan, into build-native-tests/shm_peer. The build
# goes to a temporary name first, so test files that call this at once never run a half-written one.
set -euo pipefail
cd "$(dirname "$0")/.."
cxx=${CXX:-g++}
out=build-native-tests
mkdir -p "$out"
tmp="$out/shm_peer.$$"
"$cxx" -std=c++20 -g -O1 -Wall -Wextra -Werror -pthread \
  -fsanitize=address,undefined -fno-sanitize-recover=undefined -Inative -Itest/native \
  test/native/shm_peer.cc -o "$tmp"
mv -f "$tmp" "$out/shm_peer"
