#!/usr/bin/env bash
# Builds the libFuzzer targets with clang, AddressSanitizer and UBSan, and runs each for its share
# of a bounded time: FUZZ_SECONDS (default 60), or the first argument; a second argument runs one
# target alone for all of it. The shares: fuzz/shm_receive_fuzz.cc (the shm lane against a peer
# that is the fuzzer's bytes, the newer and wider surface) 35 of 60, fuzz/link_buffer_fuzz.cc 25.
# Installs clang from Debian when it is missing. Each target keeps its corpus in
# build-fuzz/<target>-corpus between runs (the shm target's seeds come from
# fuzz/shm_receive_seeds.mjs); a crash leaves its input in build-fuzz/ and fails the script
# (replay: build-fuzz/<target> <file>).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${FUZZ_SECONDS:-60}}
only=${2:-}

fuzzer_lib() { clang++ -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null; }
if ! command -v clang++ >/dev/null || [ ! -f "$(fuzzer_lib)" ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends clang libclang-rt-dev >/dev/null
fi

out=build-fuzz
mkdir -p "$out"
build() {  # target, sources...
  local target=$1
  shift
  clang++ -std=c++20 -g -O1 -Wall -Wextra -Werror \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Inative -Itest/native "$@" -o "$out/$target"
}

# run target seconds max_len
run() {
  local target=$1 time=$2 max_len=$3
  mkdir -p "$out/$target-corpus"
  local status=0
  (cd "$out" && "./$target" -max_total_time="$time" -max_len="$max_len" -rss_limit_mb=4096 \
    -print_final_stats=1 "$target-corpus" >"$target.log" 2>&1) || status=$?
  grep -E '^(Done|stat::number_of_executed_units)' "$out/$target.log" | sed "s/^/$target: /" || true
  if [ "$status" -ne 0 ]; then
    tail -60 "$out/$target.log"
    echo "fuzz: $target FAILED (exit $status)"
    return 1
  fi
  echo "fuzz: $target, no failure in $time s, corpus of $(ls "$out/$target-corpus" | wc -l) inputs"
}

shm_share=$(( seconds * 35 / 60 ))
status=0
if [ -z "$only" ] || [ "$only" = shm_receive_fuzz ]; then
  build shm_receive_fuzz fuzz/shm_receive_fuzz.cc native/shm_lane.cc native/link_buffer.cc native/slab.cc
  node fuzz/shm_receive_seeds.mjs "$out/shm_receive_fuzz-corpus"
  run shm_receive_fuzz "$([ -n "$only" ] && echo "$seconds" || echo "$shm_share")" 8192 || status=1
fi
if [ -z "$only" ] || [ "$only" = link_buffer_fuzz ]; then
  build link_buffer_fuzz fuzz/link_buffer_fuzz.cc native/link_buffer.cc native/slab.cc
  run link_buffer_fuzz "$([ -n "$only" ] && echo "$seconds" || echo $(( seconds - shm_share )))" 4096 || status=1
fi
exit "$status"
