// SPDX-License-Identifier: Apache-2.0
// Small helpers shared by the network subcommands: target URLs, process memory, latency
// statistics.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mmssec::tool {

/// `mms://HOST[:PORT]` (HOST an IPv4 literal, a name, or `[IPv6]`); the port defaults to 102.
/// The IANA ports: ISO transport over TCP (RFC 1006) and the same under TLS (IEC 62351-4).
constexpr std::uint16_t kPlainPort = 102;
constexpr std::uint16_t kTlsPort = 3782;

struct Target {
  std::string host;
  std::uint16_t port = kPlainPort;
  bool tls = false;  ///< mmss:// (TLS) rather than mms:// (plain)
};
/// Parse a target URL: mms://HOST[:PORT] (plain, port 102 by default) or mmss://HOST[:PORT] (TLS,
/// port 3782 by default). On failure returns nullopt and sets `error` to a readable reason.
std::optional<Target> parse_target(std::string_view url, std::string& error);
/// `HOST:PORT` or `[IPv6]:PORT` for --listen (port required; 0 = an ephemeral port).
std::optional<Target> parse_listen(std::string_view text, std::string& error);
/// "127.0.0.1:102", "[::1]:102".
std::string format_endpoint(const std::string& host, std::uint16_t port);

/// Peak resident set size of this process in KiB (VmHWM), 0 if unknown.
std::size_t peak_rss_kib();
/// Current resident set size in KiB (VmRSS), 0 if unknown.
std::size_t current_rss_kib();

/// Latencies in a log-linear histogram: bounded memory whatever the run length, relative error
/// below 1/64 (about 1.6 %). Values in nanoseconds.
class LatencyHistogram {
 public:
  LatencyHistogram();
  void record(std::uint64_t ns);
  void merge(const LatencyHistogram& other);
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t max() const noexcept { return max_; }
  /// The value at quantile q in [0, 1] (an upper bound within the bucket width); 0 when empty.
  [[nodiscard]] std::uint64_t quantile(double q) const;

 private:
  static constexpr int kSubBits = 6;  // 64 sub-buckets per power of two
  static std::size_t index_of(std::uint64_t v);
  static std::uint64_t upper_of(std::size_t index);
  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
};

/// "1.2 ms", "35 µs" etc. for human output.
std::string format_duration_ns(std::uint64_t ns);

}  // namespace mmssec::tool
