// SPDX-License-Identifier: Apache-2.0
// Errors of the capture layer (pcap files, link/IP/TCP headers, TCP reassembly). The category
// name is "capture", so `mmssec decode` can say which layer refused a capture file.
#pragma once

#include <system_error>

namespace mmssec::capture {

enum class Errc {
  bad_magic = 1,            ///< the file does not start with a classic pcap magic number
  unsupported_version,      ///< pcap major version other than 2
  truncated_file_header,    ///< fewer than 24 octets for the global header
  truncated_record_header,  ///< a record header cut short by the end of the file
  truncated_record_data,    ///< a record's captured length runs past the end of the file
  record_too_large,         ///< captured length above ReaderOptions::max_record or the snap length
  unsupported_link_type,    ///< a link type the reader does not understand
  truncated_link_header,    ///< frame shorter than its link-layer header
  bad_ip_version,           ///< IP version nibble does not match the link's protocol type
  bad_ip_header_length,     ///< IPv4 IHL below 5 or beyond the captured bytes
  bad_ip_total_length,      ///< IP length below the header or beyond the captured bytes
  bad_ipv6_extension,       ///< IPv6 extension header chain truncated or too long
  truncated_tcp_header,     ///< fewer than 20 octets for the TCP header
  bad_tcp_data_offset,      ///< TCP data offset below 5 or beyond the segment
  stream_limit_exceeded,    ///< a TCP stream's buffered or total bytes passed its limit
  too_many_streams,         ///< more TCP connections than ReassemblyOptions::max_connections
  io_error,                 ///< a file could not be opened, read or written
  frame_too_large,          ///< writer: a frame does not fit the snap length or an IP length field
};

}  // namespace mmssec::capture

template <>
struct std::is_error_code_enum<mmssec::capture::Errc> : std::true_type {};

namespace mmssec::capture {

const std::error_category& capture_category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), capture_category()}; }

}  // namespace mmssec::capture
