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
echo "=== mmssec demo: lab PKI, then server and client on 127.0.0.1 over TLS (IEC 62351-4 T-profile)"
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
echo "  $mmssec pki init lab                        # root CA, server/client certificates, CRL"
echo "  $mmssec server --pki lab --listen 127.0.0.1:13782 &"
echo "  $mmssec client mmss://127.0.0.1:13782 --pki lab list LD0 --recursive"
echo "  $mmssec client mmss://127.0.0.1:13782 --pki lab watch 'LD0/LLN0\$RP\$urcb01'"
echo "  $mmssec bench mmss://127.0.0.1:13782 --pki lab --read 'LD0/MMXU1\$MX\$TotW\$mag\$f' -n 100 -k 8 -d 10"
