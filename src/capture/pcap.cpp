// SPDX-License-Identifier: Apache-2.0
// Classic pcap file format (the libpcap "savefile" format, documented in the IETF draft
// draft-ietf-opsawg-pcap): a 24-octet global header, then records of a 16-octet header and
// the captured octets. Multi-octet fields are in the writer's byte order, which the magic
// number reveals.
#include "mmssec/capture/pcap.hpp"

#include <fstream>
#include <ios>

namespace mmssec::capture {
namespace {

// Magic numbers as read big-endian from the first four octets.
constexpr std::uint32_t kMagicMicro = 0xa1b2c3d4;
constexpr std::uint32_t kMagicMicroSwapped = 0xd4c3b2a1;
constexpr std::uint32_t kMagicNano = 0xa1b23c4d;
constexpr std::uint32_t kMagicNanoSwapped = 0x4d3cb2a1;
constexpr std::size_t kFileHeaderSize = 24;
constexpr std::size_t kRecordHeaderSize = 16;
constexpr std::uint16_t kVersionMajor = 2;
constexpr std::uint16_t kVersionMinor = 4;
// The link type occupies the low 16 bits of its field; the upper bits carry FCS information.
constexpr std::uint32_t kLinkTypeMask = 0xFFFF;

// Reads fixed-size fields in the file's byte order. The caller has checked that the bytes are
// there, so the reads below cannot fail; they still go through ByteReader.
class OrderedReader {
 public:
  OrderedReader(ByteReader& r, bool big_endian) : r_(r), be_(big_endian) {}
  std::uint32_t u32() {
    auto v = r_.read_u32be();
    if (!v) return 0;
    return be_ ? *v : swap32(*v);
  }
  std::uint16_t u16() {
    auto v = r_.read_u16be();
    if (!v) return 0;
    return be_ ? *v : static_cast<std::uint16_t>((*v >> 8) | (*v << 8));
  }

 private:
  static std::uint32_t swap32(std::uint32_t v) {
    return (v >> 24) | ((v >> 8) & 0xFF00U) | ((v << 8) & 0xFF0000U) | (v << 24);
  }
  ByteReader& r_;
  bool be_;
};

}  // namespace

bool is_supported_link_type(std::uint32_t link_type) noexcept {
  switch (static_cast<LinkType>(link_type)) {
    case LinkType::null:
    case LinkType::ethernet:
    case LinkType::raw:
    case LinkType::linux_sll:
    case LinkType::ipv4:
    case LinkType::ipv6: return true;
  }
  return false;
}

// Global header:
//   magic u32 | version_major u16 | version_minor u16 | thiszone i32 | sigfigs u32 |
//   snaplen u32 | linktype u32
Result<PcapReader> PcapReader::open(ByteView file, ReaderOptions options) {
  ByteReader r(file);
  if (file.size() >= 4) {
    MMSSEC_TRY_ASSIGN(const std::uint32_t magic, ByteReader(file).read_u32be());
    if (magic != kMagicMicro && magic != kMagicMicroSwapped && magic != kMagicNano &&
        magic != kMagicNanoSwapped)
      return Error{Errc::bad_magic, 0};
  }
  if (file.size() < kFileHeaderSize) return Error{Errc::truncated_file_header, file.size()};
  MMSSEC_TRY_ASSIGN(const std::uint32_t magic, r.read_u32be());
  FileHeader h;
  h.big_endian = magic == kMagicMicro || magic == kMagicNano;
  h.nanosecond = magic == kMagicNano || magic == kMagicNanoSwapped;
  OrderedReader o(r, h.big_endian);
  h.version_major = o.u16();
  h.version_minor = o.u16();
  if (h.version_major != kVersionMajor) return Error{Errc::unsupported_version, 4};
  h.thiszone = static_cast<std::int32_t>(o.u32());
  h.sigfigs = o.u32();
  h.snaplen = o.u32();
  h.link_type = o.u32() & kLinkTypeMask;
  return PcapReader(file, h, options);
}

// Record header:
//   ts_sec u32 | ts_usec-or-nsec u32 | incl_len u32 | orig_len u32 | incl_len octets
Result<std::optional<Record>> PcapReader::next() {
  if (pos_ >= file_.size()) return std::optional<Record>{};
  ByteReader r(file_.subspan(pos_), pos_);
  if (r.remaining() < kRecordHeaderSize) return Error{Errc::truncated_record_header, pos_};
  OrderedReader o(r, header_.big_endian);
  Record rec;
  rec.index = index_;
  rec.offset = pos_;
  const std::uint32_t sec = o.u32();
  const std::uint32_t frac = o.u32();
  const std::uint32_t incl_len = o.u32();
  rec.original_length = o.u32();
  const std::uint32_t per_second = header_.nanosecond ? 1'000'000'000U : 1'000'000U;
  const std::uint32_t scale = header_.nanosecond ? 1U : 1000U;
  rec.timestamp.seconds = std::uint64_t{sec} + frac / per_second;
  rec.timestamp.nanoseconds = (frac % per_second) * scale;
  if (incl_len > options_.max_record) return Error{Errc::record_too_large, pos_ + 8};
  rec.data_offset = r.offset();
  auto data = r.read_bytes(incl_len);
  if (!data) return Error{Errc::truncated_record_data, rec.data_offset};
  rec.data = *data;
  pos_ = r.offset();
  ++index_;
  return std::optional<Record>{rec};
}

PcapWriter::PcapWriter(Bytes& out, WriterOptions options) : out_(&out), options_(options) {
  put32(options_.nanosecond ? kMagicNano : kMagicMicro);
  put16(kVersionMajor);
  put16(kVersionMinor);
  put32(0);  // thiszone: timestamps are UTC
  put32(0);  // sigfigs
  put32(options_.snaplen);
  put32(static_cast<std::uint32_t>(options_.link));
}

void PcapWriter::put32(std::uint32_t v) {
  ByteWriter w(*out_);
  if (options_.big_endian) {
    w.u32be(v);
  } else {
    for (int i = 0; i < 4; ++i) w.u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
}

void PcapWriter::put16(std::uint16_t v) {
  ByteWriter w(*out_);
  if (options_.big_endian) {
    w.u16be(v);
  } else {
    w.u8(static_cast<std::uint8_t>(v));
    w.u8(static_cast<std::uint8_t>(v >> 8));
  }
}

Status PcapWriter::add(Timestamp ts, ByteView frame) {
  if (frame.size() > options_.snaplen) return Error{Errc::frame_too_large, out_->size()};
  const std::uint32_t frac = options_.nanosecond ? ts.nanoseconds : ts.nanoseconds / 1000U;
  put32(static_cast<std::uint32_t>(ts.seconds));
  put32(frac);
  put32(static_cast<std::uint32_t>(frame.size()));
  put32(static_cast<std::uint32_t>(frame.size()));
  ByteWriter(*out_).bytes(frame);
  return {};
}

Result<Bytes> read_file(const std::string& path, std::size_t max_size) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return Error{Errc::io_error, 0};
  const std::streamoff end = in.tellg();
  if (end < 0) return Error{Errc::io_error, 0};
  const auto size = static_cast<std::size_t>(end);
  if (size > max_size) return Error{Errc::record_too_large, max_size};
  Bytes data(size);
  in.seekg(0);
  if (size != 0 && !in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(size)))
    return Error{Errc::io_error, 0};
  return data;
}

Status write_file(const std::string& path, ByteView data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Error{Errc::io_error, 0};
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) return Error{Errc::io_error, data.size()};
  return {};
}

}  // namespace mmssec::capture
