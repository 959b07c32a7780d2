// SPDX-License-Identifier: Apache-2.0
// Link, IP and TCP header parsing for captured frames, and the inverse (building one
// well-formed frame with correct checksums). Only what TCP stream extraction needs: frames that
// are not IPv4/IPv6 TCP (ARP, UDP, IP fragments, ...) are reported as "not TCP", not as errors;
// headers that claim more bytes than were captured are errors.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "mmssec/capture/errors.hpp"
#include "mmssec/capture/pcap.hpp"
#include "mmssec/core/bytes.hpp"
#include "mmssec/core/result.hpp"

namespace mmssec::capture {

struct IpAddress {
  std::uint8_t version = 4;              ///< 4 or 6
  std::array<std::uint8_t, 16> bytes{};  ///< IPv4 uses the first 4 octets

  [[nodiscard]] static IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) noexcept;
  [[nodiscard]] static IpAddress v6(const std::array<std::uint8_t, 16>& a) noexcept;
  [[nodiscard]] static IpAddress loopback_v4() noexcept { return v4(127, 0, 0, 1); }
  [[nodiscard]] static IpAddress loopback_v6() noexcept;
  /// "127.0.0.1" or "::1"-style (full, lower-case, zero runs not compressed).
  [[nodiscard]] std::string to_string() const;
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

struct Endpoint {
  IpAddress ip;
  std::uint16_t port = 0;
  [[nodiscard]] std::string to_string() const;  ///< "127.0.0.1:102", "[0:..:1]:102"
  friend auto operator<=>(const Endpoint&, const Endpoint&) = default;
};

/// TCP header flag bits (RFC 9293 section 3.1).
namespace tcp_flags {
inline constexpr std::uint8_t kFin = 0x01;
inline constexpr std::uint8_t kSyn = 0x02;
inline constexpr std::uint8_t kRst = 0x04;
inline constexpr std::uint8_t kPsh = 0x08;
inline constexpr std::uint8_t kAck = 0x10;
}  // namespace tcp_flags

struct TcpSegment {
  Endpoint source;
  Endpoint destination;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
  ByteView payload;                ///< views the frame
  std::size_t payload_offset = 0;  ///< absolute offset of payload[0]
};

/// Parse one captured frame of the given link type. nullopt: a well-formed frame that is not
/// an unfragmented IPv4/IPv6 TCP segment. `base_offset` is the absolute offset of frame[0].
[[nodiscard]] Result<std::optional<TcpSegment>> parse_frame(std::uint32_t link_type, ByteView frame,
                                                            std::size_t base_offset = 0);

/// Parse an IP packet (either version, chosen by its first nibble). Octets after the IP
/// length (link-layer padding) are ignored.
[[nodiscard]] Result<std::optional<TcpSegment>> parse_ip(ByteView packet, std::size_t base_offset = 0);

/// RFC 1071 Internet checksum of `data`, continuing from `initial` (a folded partial sum).
[[nodiscard]] std::uint16_t internet_checksum(ByteView data, std::uint32_t initial = 0) noexcept;

struct FrameSpec {
  LinkType link = LinkType::ethernet;
  Endpoint source;
  Endpoint destination;  ///< must have the same IP version as source
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = tcp_flags::kAck;
  std::uint16_t window = 65535;
  std::uint16_t ip_id = 0;
  bool big_endian_file = false;  ///< byte order of the null link's family field
};

/// Build one frame (link header, IPv4 or IPv6 header, 20-octet TCP header, payload) with
/// correct IPv4 header and TCP checksums. Errc::frame_too_large when the payload does not fit
/// the IP length field; CoreErrc::invalid_argument for mixed IP versions or an IPv6 address on
/// an IPv4-only link.
[[nodiscard]] Result<Bytes> build_tcp_frame(const FrameSpec& spec, ByteView payload);

}  // namespace mmssec::capture
