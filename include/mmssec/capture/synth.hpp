// SPDX-License-Identifier: Apache-2.0
// Synthesises a complete, valid TCP conversation as a pcap file from a list of application
// messages: three-way handshake, data segments (split at the MSS) with correct sequence and
// acknowledgement numbers and checksums, an ACK from the receiver after each message, and an
// orderly FIN exchange. Tests use it to hand our PDUs to tshark and to the capture reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "mmssec/capture/packet.hpp"
#include "mmssec/capture/pcap.hpp"
#include "mmssec/capture/tcp_stream.hpp"
#include "mmssec/core/bytes.hpp"
#include "mmssec/core/result.hpp"

namespace mmssec::capture {

struct Message {
  Direction direction = Direction::client_to_server;
  Bytes payload;
};

struct ConversationOptions {
  LinkType link = LinkType::ethernet;
  bool ipv6 = false;
  std::optional<IpAddress> client_ip;  ///< default: loopback of the chosen IP version
  std::optional<IpAddress> server_ip;
  std::uint16_t client_port = 49152;  ///< first IANA ephemeral port
  std::uint16_t server_port = kIsoTsapPort;
  std::uint32_t client_isn = 0x1000'0000;
  std::uint32_t server_isn = 0x2000'0000;
  std::size_t max_segment_size = 1460;  ///< payload octets per segment (1..65495)
  bool handshake = true;                ///< emit SYN, SYN-ACK, ACK first
  bool close = true;                    ///< emit FIN, FIN-ACK, ACK last
  bool big_endian = false;
  bool nanosecond = false;
  Timestamp start{1'700'000'000, 0};
  std::uint32_t step_microseconds = 1000;  ///< time between consecutive frames
};

/// The pcap file image. Errors: CoreErrc::invalid_argument (bad MSS, IPv6 on the ipv4 link,
/// unsupported link type), Errc::frame_too_large.
[[nodiscard]] Result<Bytes> write_conversation(std::span<const Message> messages,
                                               const ConversationOptions& options = {});

}  // namespace mmssec::capture
