// SPDX-License-Identifier: Apache-2.0
#include "mmssec/capture/errors.hpp"

#include <string>

namespace mmssec::capture {
namespace {

class CaptureCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "capture"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::bad_magic: return "not a classic pcap file (bad magic number)";
      case Errc::unsupported_version: return "unsupported pcap version";
      case Errc::truncated_file_header: return "pcap global header truncated";
      case Errc::truncated_record_header: return "pcap record header truncated";
      case Errc::truncated_record_data: return "pcap record data runs past the end of the file";
      case Errc::record_too_large: return "pcap record larger than the limit";
      case Errc::unsupported_link_type: return "unsupported link-layer type";
      case Errc::truncated_link_header: return "frame shorter than its link-layer header";
      case Errc::bad_ip_version: return "IP version does not match the link protocol";
      case Errc::bad_ip_header_length: return "invalid IPv4 header length";
      case Errc::bad_ip_total_length: return "IP length inconsistent with the captured bytes";
      case Errc::bad_ipv6_extension: return "invalid IPv6 extension header chain";
      case Errc::truncated_tcp_header: return "TCP header truncated";
      case Errc::bad_tcp_data_offset: return "invalid TCP data offset";
      case Errc::stream_limit_exceeded: return "TCP stream limit exceeded";
      case Errc::too_many_streams: return "too many TCP connections";
      case Errc::io_error: return "file input/output error";
      case Errc::frame_too_large: return "frame too large";
    }
    return "unknown capture error";
  }
};

}  // namespace

const std::error_category& capture_category() noexcept {
  static const CaptureCategory cat;
  return cat;
}

}  // namespace mmssec::capture
