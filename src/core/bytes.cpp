// SPDX-License-Identifier: Apache-2.0
#include "mmssec/core/bytes.hpp"

namespace mmssec {

Result<std::uint8_t> ByteReader::peek_u8() const {
  if (remaining() < 1) return truncated();
  return data_[pos_];
}

Result<std::uint8_t> ByteReader::read_u8() {
  if (remaining() < 1) return truncated();
  return data_[pos_++];
}

Result<std::uint16_t> ByteReader::read_u16be() {
  if (remaining() < 2) return truncated();
  const auto v = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
  pos_ += 2;
  return v;
}

Result<std::uint32_t> ByteReader::read_u32be() {
  if (remaining() < 4) return truncated();
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | data_[pos_ + static_cast<std::size_t>(i)];
  pos_ += 4;
  return v;
}

Result<ByteView> ByteReader::read_bytes(std::size_t n) {
  if (remaining() < n) return truncated();
  ByteView v = data_.subspan(pos_, n);
  pos_ += n;
  return v;
}

Result<ByteReader> ByteReader::sub(std::size_t n) {
  if (remaining() < n) return truncated();
  ByteReader r(data_.subspan(pos_, n), base_ + pos_);
  pos_ += n;
  return r;
}

Status ByteReader::skip(std::size_t n) {
  if (remaining() < n) return truncated();
  pos_ += n;
  return {};
}

Status ByteReader::expect_end() const {
  if (!empty()) return Error{CoreErrc::trailing_data, offset()};
  return {};
}

void ByteWriter::u16be(std::uint16_t v) {
  out_->push_back(static_cast<std::uint8_t>(v >> 8));
  out_->push_back(static_cast<std::uint8_t>(v));
}

void ByteWriter::u32be(std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out_->push_back(static_cast<std::uint8_t>(v >> s));
}

void ByteWriter::patch_u16be(std::size_t at, std::uint16_t v) {
  (*out_)[at] = static_cast<std::uint8_t>(v >> 8);
  (*out_)[at + 1] = static_cast<std::uint8_t>(v);
}

std::string to_hex(ByteView data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(data.size() * 2);
  for (std::uint8_t b : data) {
    s.push_back(kDigits[b >> 4]);
    s.push_back(kDigits[b & 0x0F]);
  }
  return s;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

Result<Bytes> from_hex(std::string_view text) {
  Bytes out;
  out.reserve(text.size() / 2);
  int high = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == ':' || c == '-') {
      if (high >= 0) return Error{CoreErrc::invalid_argument, i};
      continue;
    }
    const int v = hex_value(c);
    if (v < 0) return Error{CoreErrc::invalid_argument, i};
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>((high << 4) | v));
      high = -1;
    }
  }
  if (high >= 0) return Error{CoreErrc::invalid_argument, text.size()};
  return out;
}

bool constant_time_equal(ByteView a, ByteView b) noexcept {
  if (a.size() != b.size()) return false;
  volatile std::uint8_t acc = 0;
  for (std::size_t i = 0; i < a.size(); ++i) acc = static_cast<std::uint8_t>(acc | (a[i] ^ b[i]));
  return acc == 0;
}

}  // namespace mmssec
