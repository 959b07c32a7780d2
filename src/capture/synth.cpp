// SPDX-License-Identifier: Apache-2.0
// A synthetic but protocol-correct TCP conversation (RFC 9293): SYN / SYN-ACK / ACK, data
// segments whose sequence numbers advance by their payload length and whose acknowledgement
// numbers name the peer's next octet, and FIN / FIN-ACK / ACK at the end (each FIN consumes
// one sequence number, like the SYN).
#include "mmssec/capture/synth.hpp"

#include <algorithm>

namespace mmssec::capture {
namespace {

// The largest TCP payload an IPv4 packet can carry: 65535 - 20 (IP) - 20 (TCP).
constexpr std::size_t kMaxMss = 65495;

class ConversationWriter {
 public:
  ConversationWriter(Bytes& out, const ConversationOptions& o, Endpoint client, Endpoint server)
      : writer_(out, WriterOptions{o.link, o.big_endian, o.nanosecond, 262144}),
        o_(o),
        client_(client),
        server_(server),
        ts_(o.start),
        client_seq_(o.client_isn),
        server_seq_(o.server_isn) {}

  Status emit(bool from_client, std::uint8_t flags, ByteView payload = {}) {
    FrameSpec spec;
    spec.link = o_.link;
    spec.source = from_client ? client_ : server_;
    spec.destination = from_client ? server_ : client_;
    std::uint32_t& seq = from_client ? client_seq_ : server_seq_;
    spec.seq = seq;
    spec.ack = (flags & tcp_flags::kAck) != 0 ? (from_client ? server_seq_ : client_seq_) : 0;
    spec.flags = flags;
    spec.ip_id = ip_id_++;
    spec.big_endian_file = o_.big_endian;
    MMSSEC_TRY_ASSIGN(const Bytes frame, build_tcp_frame(spec, payload));
    MMSSEC_TRY(writer_.add(ts_, frame));
    // SYN and FIN each occupy one sequence number.
    seq += static_cast<std::uint32_t>(payload.size());
    if ((flags & (tcp_flags::kSyn | tcp_flags::kFin)) != 0) ++seq;
    const std::uint64_t ns = std::uint64_t{ts_.nanoseconds} + std::uint64_t{o_.step_microseconds} * 1000;
    ts_.seconds += ns / 1'000'000'000;
    ts_.nanoseconds = static_cast<std::uint32_t>(ns % 1'000'000'000);
    return {};
  }

 private:
  PcapWriter writer_;
  const ConversationOptions& o_;
  Endpoint client_;
  Endpoint server_;
  Timestamp ts_;
  std::uint32_t client_seq_;
  std::uint32_t server_seq_;
  std::uint16_t ip_id_ = 1;
};

}  // namespace

Result<Bytes> write_conversation(std::span<const Message> messages, const ConversationOptions& options) {
  if (options.max_segment_size == 0 || options.max_segment_size > kMaxMss) return CoreErrc::invalid_argument;
  if (!is_supported_link_type(static_cast<std::uint32_t>(options.link))) return CoreErrc::invalid_argument;
  const IpAddress loopback = options.ipv6 ? IpAddress::loopback_v6() : IpAddress::loopback_v4();
  const Endpoint client{options.client_ip.value_or(loopback), options.client_port};
  const Endpoint server{options.server_ip.value_or(loopback), options.server_port};
  const std::uint8_t version = options.ipv6 ? 6 : 4;
  if (client.ip.version != version || server.ip.version != version) return CoreErrc::invalid_argument;

  Bytes out;
  ConversationWriter w(out, options, client, server);
  using namespace tcp_flags;
  if (options.handshake) {
    MMSSEC_TRY(w.emit(true, kSyn));
    MMSSEC_TRY(w.emit(false, kSyn | kAck));
    MMSSEC_TRY(w.emit(true, kAck));
  }
  for (const Message& m : messages) {
    const bool from_client = m.direction == Direction::client_to_server;
    const ByteView p = m.payload;
    for (std::size_t at = 0; at < p.size(); at += options.max_segment_size) {
      const std::size_t n = std::min(options.max_segment_size, p.size() - at);
      const bool last = at + n == p.size();
      MMSSEC_TRY(w.emit(from_client, last ? static_cast<std::uint8_t>(kAck | kPsh) : kAck, p.subspan(at, n)));
    }
    if (!p.empty()) MMSSEC_TRY(w.emit(!from_client, kAck));
  }
  if (options.close) {
    MMSSEC_TRY(w.emit(true, kFin | kAck));
    MMSSEC_TRY(w.emit(false, kFin | kAck));
    MMSSEC_TRY(w.emit(true, kAck));
  }
  return out;
}

}  // namespace mmssec::capture
