#!/usr/bin/env bash
# Builds the release benchmarks and runs them (BER and MMS encode/decode: time and allocations
# per PDU). Extra arguments go to Google Benchmark, e.g. --benchmark_filter=Read.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset release -DMMSSEC_BUILD_TESTS=OFF >/dev/null
cmake --build --preset release --target mmssec_bench
./build/release/bench/mmssec_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true "$@"
