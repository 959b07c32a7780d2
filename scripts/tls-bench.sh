#!/usr/bin/env bash
# TLS (T-profile) benchmarks of docs/performance.md, on loopback, release build, in one run:
#   1. full association setups per second (TCP + TLS 1.3 with mutual authentication + AARQ/AARE +
#      Initiate), `mmssec bench --setups` against `mmssec server`, next to `openssl s_time -new`
#      against `openssl s_server -Verify` with the same keys; for RSA-2048 and P-256 lab PKIs
#   2. reads/s over TLS with 1 association x 1 outstanding and 100 x 8, next to plain RFC 1006
#   3. N idle TLS associations held by one server (server RSS growth / N)
# Usage: scripts/tls-bench.sh [--smoke] [--duration S] [--idle N]
#   --smoke  short runs with small numbers (CI uses it to prove the method works)
# Results: a summary on stdout, JSON lines in build/tls-bench/results.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=10
idle=2000
assoc=100
outstanding=8
smoke=0
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1; duration=1; idle=100; assoc=10; shift ;;
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
need=$((idle + 256))
if [ "$(ulimit -n)" -lt "$need" ]; then
  ulimit -n "$need" 2>/dev/null || { echo "error: need 'ulimit -n $need' for $idle associations" >&2; exit 3; }
fi

out=build/tls-bench
rm -rf "$out"
mkdir -p "$out"
: > "$out/results.jsonl"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
ref='LD0/MMXU1$MX$TotW$mag$f'
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# free_port: an unused loopback port (bind to 0 and read back what the kernel chose).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_server LOG ARGS...: start `mmssec server` on an ephemeral port; sets $port and $server.
start_server() {
  local log="$1"; shift
  "$mmssec" server --listen 127.0.0.1:0 --no-request-log --security-log off "$@" 2> "$log" &
  server=$!
  pids+=("$server")
  for _ in $(seq 200); do
    grep -qs "listening on" "$log" && break
    sleep 0.05
  done
  grep -q "listening on" "$log" || { cat "$log" >&2; exit 3; }
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -n 1)
}
stop_server() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }

for key in rsa2048 p256; do
  pki="$out/pki-$key"
  "$mmssec" pki init "$pki" --key "$key" > /dev/null
  echo "=== full association setups, $key keys, ${duration} s each (sequential, one at a time)"
  # OpenSSL's own rate: s_server (single-threaded) with client verification, s_time -new.
  sport=$(free_port)
  openssl s_server -accept "$sport" -cert "$pki/server.crt" -key "$pki/server.key" -CAfile "$pki/ca.crt" \
    -Verify 1 -quiet -naccept 1000000 > "$out/s_server-$key.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/"$sport") 2>/dev/null && break
    sleep 0.05
  done
  openssl s_time -connect "127.0.0.1:$sport" -new -time "$duration" -cert "$pki/client.crt" \
    -key "$pki/client.key" -CAfile "$pki/ca.crt" > "$out/s_time-$key.log" 2>&1 || true
  ossl=$(awk '/connections in [0-9.]+s/ {for (i=1;i<=NF;i++) if ($i ~ /connections\/user/) {print $(i-1); exit}}' "$out/s_time-$key.log")
  # s_time also prints "N connections in T real seconds"; prefer the real-time rate.
  real=$(awk '/connections in [0-9]+ real seconds/ {printf "%.0f", $1 / $4; exit}' "$out/s_time-$key.log")
  [ -n "$real" ] && ossl=$real
  [ -n "$ossl" ] || { cat "$out/s_time-$key.log" >&2; echo "error: cannot read the s_time rate" >&2; exit 3; }

  start_server "$out/server-$key.log" --pki "$pki"
  "$mmssec" bench "mmss://127.0.0.1:$port" --pki "$pki" --setups -n 1 -d "$duration" --warmup 0.5 -q --json \
    > "$out/setups-$key.json"
  stop_server
  ours=$(sed -n 's/.*"setups_per_second":\([0-9]*\).*/\1/p' "$out/setups-$key.json")
  ratio=$(awk -v a="$ours" -v b="$ossl" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  echo "{\"test\":\"setups\",\"key\":\"$key\",\"mmssec_setups_per_second\":$ours,\"openssl_s_time_connections_per_second\":$ossl,\"ratio\":$ratio}" \
    | tee -a "$out/results.jsonl"
done

pki="$out/pki-p256"
echo "=== reads/s, TLS next to plain, ${duration} s each"
start_server "$out/server-plain.log" --plain
plain_port=$port
plain_server=$server
start_server "$out/server-tls.log" --pki "$pki" --max-connections $((idle + 100)) --idle-timeout 600
tls_port=$port
tls_server=$server
for shape in "1 1" "$assoc $outstanding"; do
  set -- $shape
  p=$("$mmssec" bench "mms://127.0.0.1:$plain_port" --read "$ref" -n "$1" -k "$2" -d "$duration" -q --json)
  t=$("$mmssec" bench "mmss://127.0.0.1:$tls_port" --pki "$pki" --read "$ref" -n "$1" -k "$2" -d "$duration" -q --json)
  pr=$(echo "$p" | sed -n 's/.*"reads_per_second":\([0-9]*\).*/\1/p')
  tr=$(echo "$t" | sed -n 's/.*"reads_per_second":\([0-9]*\).*/\1/p')
  tp99=$(echo "$t" | sed -n 's/.*"p99":\([0-9.]*\).*/\1/p')
  ratio=$(awk -v a="$tr" -v b="$pr" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  echo "{\"test\":\"reads\",\"associations\":$1,\"outstanding\":$2,\"plain_reads_per_second\":$pr,\"tls_reads_per_second\":$tr,\"tls_p99_us\":$tp99,\"ratio\":$ratio}" \
    | tee -a "$out/results.jsonl"
done
kill "$plain_server" 2>/dev/null || true

echo "=== $idle idle TLS associations"
before=$(rss "$tls_server")
hold=$(( smoke == 1 ? 3 : 10 ))
"$mmssec" bench "mmss://127.0.0.1:$tls_port" --pki "$pki" --idle -n "$idle" -d "$hold" --connect-concurrency 64 \
  --json > "$out/idle.json" 2> "$out/idle.log" &
bench=$!
for _ in $(seq 1200); do
  grep -q "associations established" "$out/idle.log" && break
  kill -0 $bench 2>/dev/null || break
  sleep 0.1
done
sleep 1
after=$(rss "$tls_server")
wait $bench
per=$(( (after - before) * 1024 / idle ))
echo "{\"test\":\"idle\",\"server_rss_before_kib\":$before,\"server_rss_with_idle_kib\":$after,\"idle_tls_associations\":$idle,\"bytes_per_idle_association\":$per}" \
  | tee -a "$out/results.jsonl"
echo "server RSS: $before KiB -> $after KiB with $idle idle TLS associations = $per bytes per association"
