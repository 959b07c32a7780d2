// SPDX-License-Identifier: Apache-2.0
// The one bounds-checked cursor (ByteReader) and the one builder (ByteWriter) through which
// every untrusted byte passes. A read either succeeds and advances, or fails and leaves the
// cursor where it was. No protocol file outside core/ and ber/ indexes raw memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mmssec/core/result.hpp"

namespace mmssec {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

class ByteReader {
 public:
  ByteReader() = default;
  /// `base_offset` is the absolute offset of data[0] in the outermost buffer; errors report
  /// absolute offsets so a tool can point at the failing byte.
  explicit ByteReader(ByteView data, std::size_t base_offset = 0) noexcept
      : data_(data), base_(base_offset) {}
  /// A reader over a temporary buffer would dangle.
  ByteReader(Bytes&&, std::size_t = 0) = delete;

  [[nodiscard]] std::size_t remaining() const noexcept { return data_.size() - pos_; }
  [[nodiscard]] bool empty() const noexcept { return remaining() == 0; }
  /// Absolute offset of the next unread byte.
  [[nodiscard]] std::size_t offset() const noexcept { return base_ + pos_; }
  [[nodiscard]] std::size_t position() const noexcept { return pos_; }
  [[nodiscard]] ByteView rest() const noexcept { return data_.subspan(pos_); }

  Result<std::uint8_t> peek_u8() const;
  Result<std::uint8_t> read_u8();
  Result<std::uint16_t> read_u16be();
  Result<std::uint32_t> read_u32be();
  /// Read exactly n bytes (a view into the underlying buffer, no copy).
  Result<ByteView> read_bytes(std::size_t n);
  /// A sub-reader over the next n bytes (absolute offsets preserved); advances past them.
  Result<ByteReader> sub(std::size_t n);
  Status skip(std::size_t n);
  /// Error CoreErrc::trailing_data unless every byte was consumed.
  Status expect_end() const;

 private:
  [[nodiscard]] Error truncated() const { return {CoreErrc::truncated, offset()}; }
  ByteView data_{};
  std::size_t pos_ = 0;
  std::size_t base_ = 0;
};

/// Appends to a caller-owned vector, so encoders can write several layers into one buffer.
class ByteWriter {
 public:
  explicit ByteWriter(Bytes& out) noexcept : out_(&out) {}

  void u8(std::uint8_t v) { out_->push_back(v); }
  void u16be(std::uint16_t v);
  void u32be(std::uint32_t v);
  void bytes(ByteView v) { out_->insert(out_->end(), v.begin(), v.end()); }
  void bytes(std::string_view v) { out_->insert(out_->end(), v.begin(), v.end()); }
  [[nodiscard]] std::size_t size() const noexcept { return out_->size(); }
  /// Overwrite previously written bytes (for length fields patched after the content).
  void patch_u8(std::size_t at, std::uint8_t v) { (*out_)[at] = v; }
  void patch_u16be(std::size_t at, std::uint16_t v);
  Bytes& buffer() noexcept { return *out_; }

 private:
  Bytes* out_;
};

/// Lower-case hex without separators ("0a1b").
std::string to_hex(ByteView data);
/// Parse hex; whitespace, ':' and '-' between digit pairs are ignored. Fails on odd digit
/// counts or other characters.
Result<Bytes> from_hex(std::string_view text);

/// Compare in time independent of where the first difference is (for MACs and secrets).
bool constant_time_equal(ByteView a, ByteView b) noexcept;

}  // namespace mmssec
