// SPDX-License-Identifier: Apache-2.0
// TCP stream reassembly for offline analysis. Sequence numbers are compared modulo 2^32
// (RFC 9293 section 3.4): a segment's position relative to the next expected octet is the
// signed 32-bit difference. Octets already delivered are trimmed from retransmissions; octets
// ahead of a hole wait in a per-direction map keyed by stream offset.
#include "mmssec/capture/tcp_stream.hpp"

#include <algorithm>
#include <utility>

namespace mmssec::capture {
namespace {

int dir_index(Direction d) { return static_cast<int>(d); }

bool is_server_port(const std::vector<std::uint16_t>& ports, std::uint16_t p) {
  return std::find(ports.begin(), ports.end(), p) != ports.end();
}

// Append what became in order: first the segment itself (trimmed), then every waiting
// piece the new data reaches.
Status deliver(StreamState& st, const TcpSegment& seg, std::uint32_t data_seq, std::size_t limit,
               Bytes& out) {
  ByteView data = seg.payload;
  const auto diff = static_cast<std::int32_t>(data_seq - st.next_seq);
  if (diff > 0) {
    if (data.empty()) return {};
    const std::uint64_t at = st.delivered + static_cast<std::uint64_t>(diff);
    auto it = st.pending.find(at);
    const std::size_t old = it == st.pending.end() ? 0 : it->second.size();
    if (data.size() <= old) return {};  // already waiting
    if (st.pending_bytes - old + data.size() > limit)
      return Error{Errc::stream_limit_exceeded, seg.payload_offset};
    st.pending_bytes = st.pending_bytes - old + data.size();
    st.pending[at] = Bytes(data.begin(), data.end());
    return {};
  }
  const auto behind = static_cast<std::size_t>(-static_cast<std::int64_t>(diff));
  if (behind >= data.size()) return {};  // pure retransmission
  data = data.subspan(behind);
  out.insert(out.end(), data.begin(), data.end());
  st.delivered += data.size();
  st.next_seq += static_cast<std::uint32_t>(data.size());
  while (!st.pending.empty() && st.pending.begin()->first <= st.delivered) {
    auto node = st.pending.extract(st.pending.begin());
    st.pending_bytes -= node.mapped().size();
    const std::uint64_t skip = st.delivered - node.key();
    if (skip < node.mapped().size()) {
      const auto from = node.mapped().begin() + static_cast<std::ptrdiff_t>(skip);
      const std::size_t n = node.mapped().size() - static_cast<std::size_t>(skip);
      out.insert(out.end(), from, node.mapped().end());
      st.delivered += n;
      st.next_seq += static_cast<std::uint32_t>(n);
    }
  }
  return {};
}

}  // namespace

Result<std::size_t> TcpReassembler::find_or_create(const TcpSegment& s) {
  const bool forward = s.source < s.destination;
  Key key = forward ? Key{s.source, s.destination} : Key{s.destination, s.source};
  const bool opening = (s.flags & tcp_flags::kSyn) != 0 && (s.flags & tcp_flags::kAck) == 0;
  auto it = index_.find(key);
  if (it != index_.end()) {
    const Connection& c = connections_[it->second];
    const StreamState& cs = c.stream(Direction::client_to_server);
    // A new SYN on a finished 4-tuple (or with a different initial sequence number) is a new
    // connection reusing the ports.
    const bool reuse = opening && cs.started && (c.closed() || s.seq + 1 != cs.initial_seq);
    if (!reuse) return it->second;
  }
  if (connections_.size() >= options_.max_connections) return Error{Errc::too_many_streams, s.payload_offset};
  Connection c;
  bool sender_is_client = true;
  if ((s.flags & tcp_flags::kSyn) != 0) {
    sender_is_client = (s.flags & tcp_flags::kAck) == 0;
  } else if (is_server_port(options_.server_ports, s.source.port) &&
             !is_server_port(options_.server_ports, s.destination.port)) {
    sender_is_client = false;
  }
  c.client = sender_is_client ? s.source : s.destination;
  c.server = sender_is_client ? s.destination : s.source;
  connections_.push_back(std::move(c));
  index_[key] = connections_.size() - 1;
  return connections_.size() - 1;
}

Result<Delivery> TcpReassembler::add(const TcpSegment& segment) {
  MMSSEC_TRY_ASSIGN(const std::size_t idx, find_or_create(segment));
  Connection& c = connections_[idx];
  Delivery d;
  d.connection = idx;
  d.direction = segment.source == c.client ? Direction::client_to_server : Direction::server_to_client;
  StreamState& st = c.streams[dir_index(d.direction)];
  const bool syn = (segment.flags & tcp_flags::kSyn) != 0;
  // The SYN occupies one sequence number; data carried on it starts after it.
  const std::uint32_t data_seq = syn ? segment.seq + 1 : segment.seq;
  if (syn && d.direction == Direction::client_to_server) c.syn_seen = true;
  if (!st.started) {
    // First segment seen in this direction: the stream starts here (the capture may have
    // begun mid-connection, in which case earlier octets are simply absent).
    st.started = true;
    st.initial_seq = data_seq;
    st.next_seq = data_seq;
  }
  if ((segment.flags & tcp_flags::kRst) != 0) {
    c.reset = true;
    return d;
  }
  MMSSEC_TRY(deliver(st, segment, data_seq, options_.max_buffered_per_stream, d.data));
  if ((segment.flags & tcp_flags::kFin) != 0) st.fin = true;
  return d;
}

Result<std::vector<Conversation>> extract_conversations(ByteView pcap_file, const ExtractOptions& options) {
  MMSSEC_TRY_ASSIGN(PcapReader reader, PcapReader::open(pcap_file, options.reader));
  const std::uint32_t link = reader.header().link_type;
  if (!is_supported_link_type(link)) return Error{Errc::unsupported_link_type, 20};
  TcpReassembler reassembler(options.reassembly);
  std::vector<Conversation> out;
  std::vector<std::size_t> conv_of;  // connection index → index in `out`, or npos
  constexpr std::size_t npos = static_cast<std::size_t>(-1);
  for (;;) {
    MMSSEC_TRY_ASSIGN(const std::optional<Record> rec, reader.next());
    if (!rec) break;
    auto seg = parse_frame(link, rec->data, rec->data_offset);
    if (!seg) {
      if (options.skip_malformed_frames) continue;
      return seg.error();
    }
    if (!seg->has_value()) continue;
    const TcpSegment& s = **seg;
    MMSSEC_TRY_ASSIGN(Delivery d, reassembler.add(s));
    const Connection& c = reassembler.connections()[d.connection];
    while (conv_of.size() <= d.connection) conv_of.push_back(npos);
    if (conv_of[d.connection] == npos) {
      if (!options.ports.empty() && !is_server_port(options.ports, c.server.port)) {
        conv_of[d.connection] = npos - 1;  // filtered out
        continue;
      }
      conv_of[d.connection] = out.size();
      Conversation conv;
      conv.client = c.client;
      conv.server = c.server;
      out.push_back(std::move(conv));
    }
    if (conv_of[d.connection] == npos - 1) continue;
    Conversation& conv = out[conv_of[d.connection]];
    conv.closed = c.closed();
    if (d.data.empty()) continue;
    Bytes& stream = d.direction == Direction::client_to_server ? conv.to_server : conv.to_client;
    if (d.data.size() > options.max_stream_bytes - std::min(stream.size(), options.max_stream_bytes))
      return Error{Errc::stream_limit_exceeded, s.payload_offset};
    conv.chunks.push_back({d.direction, stream.size(), d.data.size(), rec->index});
    stream.insert(stream.end(), d.data.begin(), d.data.end());
  }
  return out;
}

}  // namespace mmssec::capture
