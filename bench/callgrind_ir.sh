#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Instructions per call of one codec function, measured by callgrind inside one benchmark.
# Instruction counts do not depend on the load of the (shared) machine, unlike wall time.
#
#   bench/callgrind_ir.sh <bench binary> <benchmark name> <function>
#   bench/callgrind_ir.sh build/release/bench/mmssec_bench BM_MmsDecodeReadResponse32Floats decode_pdu
#
# <function> is a function of mmssec::mms called directly by the benchmark loop (decode_pdu,
# encode_pdu, decode_data, encode_data). Only that function and its callees are counted
# (--toggle-collect); calls made from the benchmark function itself are counted, recursive
# calls are not, so the result is inclusive instructions per benchmark iteration.
set -eu
bin=$1 bench=$2 fn=mmssec::mms::$3
out=$(mktemp /tmp/mmssec_callgrind.XXXXXX)
trap 'rm -f "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect="$fn*" \
  "$bin" --benchmark_filter="^$bench\$" --benchmark_min_time=0.02 >/dev/null 2>&1
total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
calls=$(callgrind_annotate --threshold=100 --tree=caller "$out" 2>/dev/null | awk -v f="$fn" '
  /^$/ { n = 0; next }
  / < / { c[n++] = $0; next }
  / \* / && index($0, "???:" f "(") > 0 {
    for (i = 0; i < n; i++) if (c[i] ~ /::BM_/) {
      match(c[i], /\([0-9,]+x\)/); s = substr(c[i], RSTART + 1, RLENGTH - 3); gsub(",", "", s); tot += s
    }
  }
  END { print tot + 0 }')
if [ "$calls" -eq 0 ]; then echo "$bench: no calls of $fn found" >&2; exit 1; fi
echo "$bench: $((total / calls)) instructions per call of $fn ($calls calls, $total instructions)"
