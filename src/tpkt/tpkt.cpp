// SPDX-License-Identifier: Apache-2.0
// RFC 1006 TPKT encoder, one-shot decoder and streaming framer.
#include "mmssec/tpkt/tpkt.hpp"

#include <algorithm>
#include <string>

namespace mmssec::tpkt {
namespace {

class TpktCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "tpkt"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::bad_version: return "TPKT version is not 3";
      case Errc::length_too_small: return "TPKT length below the minimum of 7";
      case Errc::length_exceeds_limit: return "TPKT length exceeds the configured limit";
      case Errc::length_mismatch: return "TPKT length differs from the bytes present";
      case Errc::payload_too_large: return "payload too large for one TPKT";
      case Errc::payload_too_small: return "payload shorter than the minimum TPDU";
      case Errc::not_drained: return "complete TPKT still buffered; call next() before feed()";
      case Errc::stream_failed: return "TPKT stream out of step after an earlier error";
    }
    return "unknown tpkt error";
  }
};

/// The configured limit, never above what the 16-bit length field can express.
std::size_t effective_limit(std::size_t configured) { return std::min(configured, kMaxPacket); }

// RFC 1006 clause 6 packet header:
//   version  (1 octet) = 3
//   reserved (1 octet) = 0 on send; not checked on receive (deployed stacks differ)
//   length   (2 octets, big-endian) = header + TPDU
// Reads the header at the reader's position; returns the packet length.
Result<std::size_t> read_header(ByteReader& r, std::size_t max_packet) {
  const std::size_t at = r.offset();
  MMSSEC_TRY_ASSIGN(const std::uint8_t version, r.read_u8());
  if (version != kVersion) return Error{Errc::bad_version, at};
  MMSSEC_TRY(r.skip(1));  // reserved
  const std::size_t length_at = r.offset();
  MMSSEC_TRY_ASSIGN(const std::uint16_t length, r.read_u16be());
  if (length < kMinPacket) return Error{Errc::length_too_small, length_at};
  if (length > max_packet) return Error{Errc::length_exceeds_limit, length_at};
  return static_cast<std::size_t>(length);
}

}  // namespace

const std::error_category& tpkt_category() noexcept {
  static const TpktCategory cat;
  return cat;
}

Status encode_header(std::size_t payload_size, Bytes& out) {
  if (payload_size < kMinPacket - kHeaderSize) return Error{Errc::payload_too_small, 0};
  if (payload_size > kMaxPayload) return Error{Errc::payload_too_large, 0};
  ByteWriter w(out);
  w.u8(kVersion);
  w.u8(0);  // reserved
  w.u16be(static_cast<std::uint16_t>(payload_size + kHeaderSize));
  return {};
}

Status encode(ByteView payload, Bytes& out) {
  MMSSEC_TRY(encode_header(payload.size(), out));
  ByteWriter(out).bytes(payload);
  return {};
}

Result<ByteView> decode(ByteView packet, const Limits& limits, std::size_t base_offset) {
  ByteReader r(packet, base_offset);
  MMSSEC_TRY_ASSIGN(const std::size_t length, read_header(r, effective_limit(limits.tpkt_max_packet)));
  // The length field must describe exactly the bytes given: fewer is a truncation, more is
  // trailing data.
  if (packet.size() != length) return Error{Errc::length_mismatch, base_offset + 2};
  MMSSEC_TRY_ASSIGN(const ByteView payload, r.read_bytes(length - kHeaderSize));
  MMSSEC_TRY(r.expect_end());
  return payload;
}

// ------------------------------------------------------------------------------------------
// Framer
// ------------------------------------------------------------------------------------------

Result<std::optional<std::size_t>> Framer::peek_length() {
  if (pending() < kHeaderSize) return std::optional<std::size_t>{};
  ByteReader r(ByteView(buf_).subspan(pos_), base_ + pos_);
  auto length = read_header(r, effective_limit(max_packet_));
  if (!length) {
    failed_ = true;
    return length.error();
  }
  return std::optional<std::size_t>{*length};
}

Status Framer::feed(ByteView data) {
  if (failed_) return Error{Errc::stream_failed, stream_offset()};
  MMSSEC_TRY_ASSIGN(const std::optional<std::size_t> length, peek_length());
  if (length && pending() >= *length) return Error{Errc::not_drained, base_ + pos_};
  // Compact: drop what was handed out. What remains is one unfinished packet (shorter than
  // its own length, hence shorter than the limit), so the move is cheap.
  if (pos_ != 0) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    base_ += pos_;
    pos_ = 0;
  }
  buf_.insert(buf_.end(), data.begin(), data.end());
  return {};
}

Result<std::optional<ByteView>> Framer::next() {
  if (failed_) return Error{Errc::stream_failed, base_ + pos_};
  MMSSEC_TRY_ASSIGN(const std::optional<std::size_t> length, peek_length());
  if (!length || pending() < *length) return std::optional<ByteView>{};
  ByteReader r(ByteView(buf_).subspan(pos_, *length), base_ + pos_);
  MMSSEC_TRY(r.skip(kHeaderSize));
  payload_offset_ = r.offset();
  MMSSEC_TRY_ASSIGN(const ByteView payload, r.read_bytes(*length - kHeaderSize));
  pos_ += *length;
  return std::optional<ByteView>{payload};
}

}  // namespace mmssec::tpkt
