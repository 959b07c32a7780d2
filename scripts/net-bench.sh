#!/usr/bin/env bash
# Network benchmarks of docs/performance.md, measured with `mmssec bench` against `mmssec server`
# on loopback (release build):
#   1. one association, one outstanding read            (reads/s, latency percentiles)
#   2. 100 associations, 8 outstanding reads each       (aggregate reads/s, p99)
#   3. N idle associations held by one server           (server RSS growth / N)
# Usage: scripts/net-bench.sh [--smoke] [--duration S] [--idle N]
#   --smoke  short runs with small numbers (CI uses it to prove the method works; figures from a
#            smoke run mean nothing)
# Results: a summary on stdout and the JSON lines of each run in build/net-bench/results.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=10
idle=10000
assoc=100
outstanding=8
smoke=0
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1; duration=1; idle=200; assoc=10; shift ;;
    --duration) duration="$2"; shift 2 ;;
    --idle) idle="$2"; shift 2 ;;
    *) echo "usage: $0 [--smoke] [--duration S] [--idle N]" >&2; exit 2 ;;
  esac
done

mmssec=./build/release/tools/mmssec/mmssec
if [ ! -x "$mmssec" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target mmssec
fi
# Each idle association costs one descriptor in the server and one in the bench process.
need=$((idle + 256))
if [ "$(ulimit -n)" -lt "$need" ]; then
  ulimit -n "$need" 2>/dev/null || { echo "error: need 'ulimit -n $need' for $idle associations" >&2; exit 3; }
fi

out=build/net-bench
mkdir -p "$out"
: > "$out/results.jsonl"
"$mmssec" server --plain --listen 127.0.0.1:0 --no-request-log --max-connections $((idle + 100)) \
  --idle-timeout 600 2> "$out/server.log" &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q "listening on" "$out/server.log" && break
  sleep 0.05
done
grep -q "listening on" "$out/server.log" || { cat "$out/server.log" >&2; exit 3; }
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$out/server.log" | head -n 1)
url="mms://127.0.0.1:$port"
ref='LD0/MMXU1$MX$TotW$mag$f'
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

echo "=== 1 association x 1 outstanding read, ${duration} s"
"$mmssec" bench "$url" --read "$ref" -n 1 -k 1 -d "$duration" -q --json | tee -a "$out/results.jsonl"
echo "=== $assoc associations x $outstanding outstanding reads, ${duration} s"
"$mmssec" bench "$url" --read "$ref" -n "$assoc" -k "$outstanding" -d "$duration" -q --json \
  | tee -a "$out/results.jsonl"

echo "=== $idle idle associations"
before=$(rss $server)
hold=$(( smoke == 1 ? 3 : 15 ))
"$mmssec" bench "$url" --idle -n "$idle" -d "$hold" --connect-concurrency 128 --json \
  > "$out/idle.json" 2> "$out/idle.log" &
bench=$!
for _ in $(seq 1200); do
  grep -q "associations established" "$out/idle.log" && break
  kill -0 $bench 2>/dev/null || break
  sleep 0.1
done
sleep 1
after=$(rss $server)
wait $bench
cat "$out/idle.json" | tee -a "$out/results.jsonl"
per=$(( (after - before) * 1024 / idle ))
echo "{\"server_rss_before_kib\":$before,\"server_rss_with_idle_kib\":$after,\"idle_associations\":$idle,\"bytes_per_idle_association\":$per}" \
  | tee -a "$out/results.jsonl"
echo "server RSS: $before KiB -> $after KiB with $idle idle associations = $per bytes per association"
