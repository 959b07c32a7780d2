#!/usr/bin/env bash
# The README's first quick-start command: installs dependencies, builds the `mmssec` tool
# (release) and runs `mmssec demo`: an MMS server with the default IED model and a client in one
# process on loopback, walking through association, identify, list, read, write, a report and
# release. Then it decodes the sample capture layer by layer.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
echo "=== building mmssec (release)"
cmake --preset release -DMMSSEC_BUILD_TESTS=OFF -DMMSSEC_BUILD_BENCH=OFF >/dev/null
cmake --build --preset release --target mmssec
mmssec=./build/release/tools/mmssec/mmssec
echo
echo "=== mmssec demo: server and client on 127.0.0.1"
echo
"$mmssec" demo
echo
echo "=== mmssec decode samples/association.pcap (first lines)"
echo "    (a complete association produced by mmssec's own client and server stacks)"
echo
# `head` closes the pipe early; the decoder's SIGPIPE is expected, not a failure.
{ "$mmssec" decode samples/association.pcap || true; } | head -40
echo "    ..."
echo
echo "=== and a malformed PDU: the decoder names the failing layer and byte offset"
"$mmssec" decode --hex "0300001102f0800d083302000134090001" \
  || echo "(exit status $? means: input decoded with errors, as expected)"
echo
echo "Try it yourself:"
echo "  $mmssec server --listen 127.0.0.1:10102 &"
echo "  $mmssec client mms://127.0.0.1:10102 list LD0 --recursive"
echo "  $mmssec client mms://127.0.0.1:10102 watch 'LD0/LLN0\$RP\$urcb01'"
echo "  $mmssec bench mms://127.0.0.1:10102 --read 'LD0/MMXU1\$MX\$TotW\$mag\$f' -n 100 -k 8 -d 10"
