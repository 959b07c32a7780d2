// SPDX-License-Identifier: Apache-2.0
// The pcap reader, the link/IP/TCP parsers and the TCP reassembler on arbitrary files: no
// crash, no unbounded memory (small limits), and the invariants of the reassembled streams.
#include "mmssec/capture/pcap.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "mmssec/capture/packet.hpp"
#include "mmssec/capture/tcp_stream.hpp"

namespace {
using namespace mmssec;
using namespace mmssec::capture;

void check(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  // 1. Record by record, every frame through the parser and a small-limit reassembler,
  //    skipping frames that fail (the way a lenient decoder would).
  ReassemblyOptions ro;
  ro.max_buffered_per_stream = 4096;
  ro.max_connections = 16;
  TcpReassembler reassembler(ro);
  auto reader = PcapReader::open(input, ReaderOptions{65536});
  if (reader) {
    for (std::size_t n = 0; n < 100000; ++n) {
      auto rec = reader->next();
      if (!rec || !rec->has_value()) break;
      const Record& r = **rec;
      check(r.data_offset + r.data.size() <= size);
      auto seg = parse_frame(reader->header().link_type, r.data, r.data_offset);
      if (!seg || !seg->has_value()) continue;
      const TcpSegment& s = **seg;
      check(s.payload_offset >= r.data_offset &&
            s.payload_offset + s.payload.size() <= r.data_offset + r.data.size());
      auto d = reassembler.add(s);
      if (!d) continue;
      for (const Connection& c : reassembler.connections())
        for (const StreamState& st : c.streams) check(st.pending_bytes <= ro.max_buffered_per_stream);
    }
  }
  // 2. The whole-file path used by `mmssec decode`: the streams add up to their chunks.
  ExtractOptions eo;
  eo.reader.max_record = 65536;
  eo.reassembly = ro;
  eo.ports.clear();
  eo.max_stream_bytes = 1 << 20;
  auto convs = extract_conversations(input, eo);
  if (convs) {
    for (const Conversation& c : *convs) {
      std::size_t up = 0;
      std::size_t down = 0;
      for (const auto& ch : c.chunks) {
        std::size_t& total = ch.direction == Direction::client_to_server ? up : down;
        check(ch.offset == total);
        total += ch.size;
      }
      check(up == c.to_server.size() && down == c.to_client.size());
    }
  }
  return 0;
}
