#!/usr/bin/env bash
# Builds the native unit tests (test/native/*_test.cc: the connection lifetime rule, the link
# buffer, the slab pool and the shm lane) with g++ (CXX overrides), warnings as errors and ASan/UBSan, without
# Node, and runs each. test/native-units.test.mjs runs this script; it prints what failed.
set -euo pipefail
cd "$(dirname "$0")/.."
cxx=${CXX:-g++}
out=build-native-tests
mkdir -p "$out"
flags=(-std=c++20 -g -O1 -Wall -Wextra -Werror -Wno-missing-field-initializers
  -fsanitize=address,undefined -fno-sanitize-recover=undefined -Inative -Itest/native)
"$cxx" "${flags[@]}" test/native/conn_life_test.cc -o "$out/conn_life_test"
"$cxx" "${flags[@]}" test/native/link_buffer_test.cc native/link_buffer.cc native/slab.cc -o "$out/link_buffer_test"
"$cxx" "${flags[@]}" test/native/shm_lane_test.cc native/shm_lane.cc native/shm_region.cc native/link_buffer.cc \
  native/slab.cc -o "$out/shm_lane_test"
for t in conn_life_test link_buffer_test shm_lane_test; do
  ASAN_OPTIONS=detect_leaks=1 "$out/$t"
  echo "$t: ok"
done
