#!/usr/bin/env bash
# The README's first quick-start command: installs dependencies, builds the `mmssec` tool
# (release) and decodes the sample MMS association layer by layer.
# Until the network issue lands the demo is `mmssec decode` on samples/association.pcap, a capture
# of a complete association produced by mmssec's own client and server stacks
# (regenerate it with build/release/samples/mmssec_make_samples .).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
echo "=== building mmssec (release)"
cmake --preset release -DMMSSEC_BUILD_TESTS=OFF -DMMSSEC_BUILD_BENCH=OFF >/dev/null
cmake --build --preset release --target mmssec
echo
echo "=== mmssec decode samples/association.pcap"
echo "    (a complete MMS association: COTP connect, session/presentation/ACSE association with the"
echo "     MMS Initiate, Identify, GetNameList, Read, Write, an InformationReport, Conclude, release)"
echo
./build/release/tools/mmssec/mmssec decode samples/association.pcap
echo
echo "=== and a malformed PDU: the decoder names the failing layer and byte offset"
./build/release/tools/mmssec/mmssec decode --hex "0300001102f0800d083302000134090001" \
  || echo "(exit status $? means: input decoded with errors, as expected)"
