#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs dependencies, builds from scratch
# and runs everything CI runs. This is the README's test command and what .ci/run calls.
#   FUZZ_SECONDS  seconds per fuzz target (default 20; 0 skips the fuzzing run)
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS="${FUZZ_SECONDS:-20}"
JOBS="${JOBS:-$(nproc)}"
step() { printf '\n=== %s\n' "$*"; }
start=$(date +%s)

step "dependencies"
./scripts/install-deps.sh

step "format check (clang-format-14)"
files=$(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find include src tests fuzz bench tools -name '*.[ch]pp')
clang-format-14 --dry-run -Werror $files

step "GCC 12 build, -Werror, and unit tests"
cmake --preset debug -DMMSSEC_BUILD_BENCH=ON >/dev/null
cmake --build --preset debug -j "$JOBS"
ctest --preset debug -j "$JOBS" --label-exclude integration

step "GCC 12 release build (-O3, -Werror): the demo, network and TLS bench smoke runs, benchmarks smoke run"
cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS"
./build/release/tools/mmssec/mmssec demo >/dev/null
./build/release/tools/mmssec/mmssec decode samples/association.pcap >/dev/null
./scripts/net-bench.sh --smoke >/dev/null
./scripts/tls-bench.sh --smoke >/dev/null
./build/release/bench/mmssec_bench --benchmark_min_time=0.01 >/dev/null

step "Clang 14 build with ASan+UBSan, -Werror, and the full suite (unit, fuzz corpus replay, integration)"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$JOBS"
ctest_log=$(mktemp)
ctest --preset asan -j "$JOBS" | tee "$ctest_log"
passed=$(sed -n 's/.*tests passed, 0 tests failed out of \([0-9]*\).*/\1/p' "$ctest_log" | tail -n 1)
rm -f "$ctest_log"

if [ "$FUZZ_SECONDS" -gt 0 ]; then
  step "libFuzzer: every target for ${FUZZ_SECONDS}s"
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$JOBS"
  for f in build/fuzz/fuzz/fuzz_*; do
    [ -x "$f" ] || continue
    name=$(basename "$f"); name=${name#fuzz_}
    work=$(mktemp -d)
    cp -r "fuzz/corpus/$name/." "$work/" 2>/dev/null || true
    echo "fuzz: $name"
    (cd "$work" && "$OLDPWD/$f" -max_total_time="$FUZZ_SECONDS" -max_len=65536 -rss_limit_mb=2048 \
        -print_final_stats=0 "$work" 2>&1 | tail -n 1)
    rm -rf "$work"
  done
fi

step "done in $(( $(date +%s) - start ))s"
echo "suite: ${passed:-0} passed, 0 failed"
