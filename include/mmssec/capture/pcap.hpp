// SPDX-License-Identifier: Apache-2.0
// Classic libpcap capture files: a sans-I/O reader over a file image held in memory and a
// writer that appends to a caller-owned buffer. Both byte orders and both timestamp
// resolutions (microsecond magic a1b2c3d4, nanosecond magic a1b23c4d) are supported.
// pcapng is not. The small file helpers at the end are the only code that touches the disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "mmssec/capture/errors.hpp"
#include "mmssec/core/bytes.hpp"
#include "mmssec/core/result.hpp"

namespace mmssec::capture {

/// Link-layer header types (the LINKTYPE_* registry) the packet parser understands.
enum class LinkType : std::uint32_t {
  null = 0,         ///< BSD loopback: 4-octet address family in the capturing host's byte order
  ethernet = 1,     ///< IEEE 802.3 / Ethernet II, with optional 802.1Q tags
  raw = 101,        ///< raw IP, version taken from the first nibble
  linux_sll = 113,  ///< Linux "cooked" capture v1 (16-octet header)
  ipv4 = 228,       ///< raw IPv4 only
  ipv6 = 229,       ///< raw IPv6 only
};

/// True when the packet parser accepts this link type.
[[nodiscard]] bool is_supported_link_type(std::uint32_t link_type) noexcept;

/// The 24-octet global header.
struct FileHeader {
  bool big_endian = false;  ///< byte order of every multi-octet header field in the file
  bool nanosecond = false;  ///< timestamps carry nanoseconds instead of microseconds
  std::uint16_t version_major = 2;
  std::uint16_t version_minor = 4;
  std::int32_t thiszone = 0;
  std::uint32_t sigfigs = 0;
  std::uint32_t snaplen = 262144;
  std::uint32_t link_type = static_cast<std::uint32_t>(LinkType::ethernet);
};

struct Timestamp {
  std::uint64_t seconds = 0;
  std::uint32_t nanoseconds = 0;  ///< always nanoseconds, whatever the file's resolution
  friend bool operator==(const Timestamp&, const Timestamp&) = default;
};

/// One record. `data` views the file image handed to the reader.
struct Record {
  std::size_t index = 0;        ///< 0-based record number
  std::size_t offset = 0;       ///< absolute file offset of the 16-octet record header
  std::size_t data_offset = 0;  ///< absolute file offset of data[0]
  Timestamp timestamp;
  std::uint32_t original_length = 0;
  ByteView data;
};

struct ReaderOptions {
  /// Largest captured length accepted for one record (the libpcap maximum snap length).
  std::size_t max_record = 262144;
};

/// Reads records one by one. Nothing is copied: records view the file image, which must
/// outlive the reader.
class PcapReader {
 public:
  [[nodiscard]] static Result<PcapReader> open(ByteView file, ReaderOptions options = {});

  [[nodiscard]] const FileHeader& header() const noexcept { return header_; }
  /// The next record, or nullopt at a clean end of file. After an error the reader stays
  /// where it was, so the same error is returned again.
  [[nodiscard]] Result<std::optional<Record>> next();

 private:
  PcapReader(ByteView file, FileHeader h, ReaderOptions o) : file_(file), header_(h), options_(o) {}
  ByteView file_;
  FileHeader header_;
  ReaderOptions options_;
  std::size_t pos_ = 24;
  std::size_t index_ = 0;
};

struct WriterOptions {
  LinkType link = LinkType::ethernet;
  bool big_endian = false;
  bool nanosecond = false;
  std::uint32_t snaplen = 262144;
};

/// Appends a global header on construction and one record per add().
class PcapWriter {
 public:
  PcapWriter(Bytes& out, WriterOptions options);
  /// Fails with Errc::frame_too_large when the frame exceeds the snap length.
  [[nodiscard]] Status add(Timestamp ts, ByteView frame);

 private:
  void put32(std::uint32_t v);
  void put16(std::uint16_t v);
  Bytes* out_;
  WriterOptions options_;
};

/// Read a whole file; fails with Errc::io_error, or Errc::record_too_large above max_size.
[[nodiscard]] Result<Bytes> read_file(const std::string& path, std::size_t max_size = std::size_t{1} << 30);
/// Create or truncate a file and write `data` to it.
[[nodiscard]] Status write_file(const std::string& path, ByteView data);

}  // namespace mmssec::capture
