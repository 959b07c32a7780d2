// SPDX-License-Identifier: Apache-2.0
// RFC 1006 TPKT framing: a 4-octet header (version 3, one reserved octet, a 16-bit big-endian
// packet length that counts the header itself) in front of each ISO 8073 TPDU on a TCP byte
// stream. Sans-I/O: the Framer takes whatever bytes the socket delivered and hands out complete
// TPDUs; the encoder appends one TPKT to a caller-owned buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <system_error>

#include "mmssec/core/bytes.hpp"
#include "mmssec/core/limits.hpp"
#include "mmssec/core/result.hpp"

namespace mmssec::tpkt {

enum class Errc {
  bad_version = 1,       ///< first header octet is not 3
  length_too_small,      ///< packet length below 7 (header + the smallest TPDU, RFC 1006)
  length_exceeds_limit,  ///< packet length above Limits::tpkt_max_packet
  length_mismatch,       ///< decode(): the length field disagrees with the bytes given
  payload_too_large,     ///< encode(): payload does not fit one TPKT
  payload_too_small,     ///< encode(): payload shorter than the 3-octet minimum TPDU
  not_drained,           ///< Framer::feed() while a complete packet is still buffered
  stream_failed,         ///< Framer used again after it reported a framing error
};

}  // namespace mmssec::tpkt

template <>
struct std::is_error_code_enum<mmssec::tpkt::Errc> : std::true_type {};

namespace mmssec::tpkt {

const std::error_category& tpkt_category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), tpkt_category()}; }

/// RFC 1006 clause 6: the version octet is always 3.
inline constexpr std::uint8_t kVersion = 3;
/// version, reserved, length (2 octets).
inline constexpr std::size_t kHeaderSize = 4;
/// RFC 1006: the smallest packet is the header plus a 3-octet TPDU.
inline constexpr std::size_t kMinPacket = 7;
/// The length field is 16 bits wide.
inline constexpr std::size_t kMaxPacket = 65535;
inline constexpr std::size_t kMaxPayload = kMaxPacket - kHeaderSize;

/// Append one TPKT carrying `payload` to `out`. Fails (and leaves `out` untouched) when the
/// payload is shorter than 3 octets or longer than kMaxPayload.
[[nodiscard]] Status encode(ByteView payload, Bytes& out);

/// Append only the 4-octet header of a TPKT whose payload of `payload_size` octets the caller
/// appends next (for encoders that build the TPDU in place). Same checks as encode().
[[nodiscard]] Status encode_header(std::size_t payload_size, Bytes& out);

/// Decode exactly one complete TPKT (header and payload, nothing after it). The returned view
/// points into `packet`. `base_offset` is the absolute offset of packet[0] for error reports.
[[nodiscard]] Result<ByteView> decode(ByteView packet, const Limits& limits = default_limits(),
                                      std::size_t base_offset = 0);
/// The payload view of a temporary buffer would dangle.
Result<ByteView> decode(Bytes&&, const Limits& = default_limits(), std::size_t = 0) = delete;

/// Streaming, sans-I/O reassembly of TPKTs from a TCP byte stream.
///
/// Usage: feed() what the socket delivered, then call next() until it yields nullopt (more
/// bytes needed) or an error (the stream is out of step: close the connection). A returned
/// payload view stays valid until the next call to feed() or next().
///
/// Buffering: feed() first drops the bytes of packets already handed out (moving only the
/// unfinished tail, which is shorter than one packet) and refuses to buffer more while a complete
/// packet is still waiting (Errc::not_drained), so the buffer never holds more than one maximal
/// packet plus the bytes of the current feed().
class Framer {
 public:
  explicit Framer(const Limits& limits = default_limits()) : max_packet_(limits.tpkt_max_packet) {}

  /// Append received bytes. Fails with Errc::not_drained when next() would still return a
  /// packet (call next() until nullopt first) and with Errc::stream_failed after an error.
  [[nodiscard]] Status feed(ByteView data);

  /// The next complete TPDU (the TPKT payload), nullopt when more bytes are needed, or a
  /// framing error (bad version, length below 7 or above the limit). Errors are reported as
  /// soon as the 4 header octets are present, before the body arrives; once an error was
  /// returned, every later call returns Errc::stream_failed.
  [[nodiscard]] Result<std::optional<ByteView>> next();

  /// Absolute stream offset of payload[0] of the packet last returned by next().
  [[nodiscard]] std::size_t payload_offset() const noexcept { return payload_offset_; }
  /// Bytes held that were not yet returned by next().
  [[nodiscard]] std::size_t pending() const noexcept { return buf_.size() - pos_; }
  /// Total bytes accepted by feed() so far.
  [[nodiscard]] std::size_t stream_offset() const noexcept { return base_ + buf_.size(); }
  [[nodiscard]] bool failed() const noexcept { return failed_; }

 private:
  /// Length of the packet at pos_ if its header is complete and valid; nullopt if fewer than 4
  /// octets are buffered.
  [[nodiscard]] Result<std::optional<std::size_t>> peek_length();

  std::size_t max_packet_;
  Bytes buf_;
  std::size_t pos_ = 0;             ///< first byte not yet handed out
  std::size_t base_ = 0;            ///< absolute stream offset of buf_[0]
  std::size_t payload_offset_ = 0;  ///< absolute offset of the last returned payload
  bool failed_ = false;
};

}  // namespace mmssec::tpkt
