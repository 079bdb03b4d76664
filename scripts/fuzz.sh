#!/usr/bin/env bash
# Builds fuzz/link_buffer_fuzz.cc with clang's libFuzzer, AddressSanitizer and UBSan, and runs it
# for a bounded time: FUZZ_SECONDS (default 60), or the first argument. Installs clang from Debian
# when it is missing. The corpus is kept in build-fuzz/corpus between runs; a crash leaves its
# input in build-fuzz/ and fails the script (replay: build-fuzz/link_buffer_fuzz <file>).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${FUZZ_SECONDS:-60}}

fuzzer_lib() { clang++ -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null; }
if ! command -v clang++ >/dev/null || [ ! -f "$(fuzzer_lib)" ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends clang libclang-rt-dev >/dev/null
fi

out=build-fuzz
mkdir -p "$out/corpus"
clang++ -std=c++20 -g -O1 -Wall -Wextra -Werror \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -Inative -Itest/native \
  fuzz/link_buffer_fuzz.cc native/link_buffer.cc native/slab.cc \
  -o "$out/link_buffer_fuzz"

cd "$out"
status=0
./link_buffer_fuzz -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 corpus >fuzz.log 2>&1 || status=$?
grep -E '^(Done|stat::number_of_executed_units)' fuzz.log || true
if [ "$status" -ne 0 ]; then
  tail -60 fuzz.log
  echo "fuzz: FAILED (exit $status)"
  exit 1
fi
echo "fuzz: no failure in ${seconds} s, corpus of $(ls corpus | wc -l) inputs"
