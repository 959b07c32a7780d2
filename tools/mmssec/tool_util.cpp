// SPDX-License-Identifier: Apache-2.0
#include "tool_util.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <string>

namespace mmssec::tool {

namespace {
std::optional<std::uint16_t> parse_port(std::string_view s, bool allow_zero) {
  unsigned v = 0;
  if (s.empty()) return std::nullopt;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || (v == 0 && !allow_zero) || v > 65535)
    return std::nullopt;
  return static_cast<std::uint16_t>(v);
}

/// HOST[:PORT] / [V6][:PORT]; `port_required` for --listen.
std::optional<Target> parse_host_port(std::string_view s, bool port_required, std::uint16_t default_port,
                                      std::string& error) {
  Target t;
  t.port = default_port;
  std::string_view port_text;
  if (s.starts_with('[')) {
    const auto close = s.find(']');
    if (close == std::string_view::npos) {
      error = "missing ']' after the IPv6 address";
      return std::nullopt;
    }
    t.host = std::string(s.substr(1, close - 1));
    const auto rest = s.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        error = "expected ':PORT' after ']'";
        return std::nullopt;
      }
      port_text = rest.substr(1);
    }
  } else {
    const auto colon = s.rfind(':');
    if (colon != std::string_view::npos && s.find(':') != colon) {
      error = "an IPv6 address must be written in brackets, e.g. [::1]:102";
      return std::nullopt;
    }
    if (colon == std::string_view::npos) {
      t.host = std::string(s);
    } else {
      t.host = std::string(s.substr(0, colon));
      port_text = s.substr(colon + 1);
      if (port_text.empty()) {
        error = "empty port after ':'";
        return std::nullopt;
      }
    }
  }
  if (t.host.empty()) {
    error = "empty host";
    return std::nullopt;
  }
  if (port_text.empty()) {
    if (port_required) {
      error = "missing ':PORT'";
      return std::nullopt;
    }
    return t;
  }
  // A listening port of 0 asks for an ephemeral one; a target needs a real port.
  const auto port = parse_port(port_text, port_required);
  if (!port) {
    error = "port '" + std::string(port_text) + "' is not a number from " + (port_required ? "0" : "1") +
            " to 65535";
    return std::nullopt;
  }
  t.port = *port;
  return t;
}

std::size_t status_field_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) {
      std::size_t v = 0;
      const char* p = line.c_str() + key.size();
      while (*p == ' ' || *p == '\t') ++p;
      std::from_chars(p, line.c_str() + line.size(), v);
      return v;
    }
  }
  return 0;
}
}  // namespace

std::optional<Target> parse_target(std::string_view url, std::string& error) {
  // mms:// = plain RFC 1006 (port 102); mmss:// = RFC 1006 under TLS (IEC 62351-4, port 3782).
  constexpr std::string_view kPlain = "mms://";
  constexpr std::string_view kTls = "mmss://";
  const bool tls = url.starts_with(kTls);
  if (!tls && !url.starts_with(kPlain)) {
    error = "expected a URL of the form mmss://HOST[:PORT] (TLS) or mms://HOST[:PORT] (plain), got '" +
            std::string(url) + "'";
    return std::nullopt;
  }
  auto rest = url.substr(tls ? kTls.size() : kPlain.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) {
    error =
        "unexpected path in '" + std::string(url) + "' (use " + (tls ? "mmss" : "mms") + "://HOST[:PORT])";
    return std::nullopt;
  }
  auto t = parse_host_port(rest, false, tls ? kTlsPort : kPlainPort, error);
  if (!t) {
    error = "bad URL '" + std::string(url) + "': " + error;
    return t;
  }
  t->tls = tls;
  return t;
}

std::optional<Target> parse_listen(std::string_view text, std::string& error) {
  auto t = parse_host_port(text, true, 0, error);
  if (!t) error = "bad --listen '" + std::string(text) + "': " + error + " (expected HOST:PORT)";
  return t;
}

std::string format_endpoint(const std::string& host, std::uint16_t port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

std::size_t peak_rss_kib() { return status_field_kib("VmHWM"); }
std::size_t current_rss_kib() { return status_field_kib("VmRSS"); }

// Bucket layout: values below 2^kSubBits map to themselves; above, each power of two is split
// into 2^kSubBits linear sub-buckets.
LatencyHistogram::LatencyHistogram() : buckets_(static_cast<std::size_t>(65 - kSubBits) << kSubBits, 0) {}

std::size_t LatencyHistogram::index_of(std::uint64_t v) {
  constexpr std::uint64_t kSub = 1ULL << kSubBits;
  if (v < kSub) return static_cast<std::size_t>(v);
  const int msb = 63 - std::countl_zero(v);  // >= kSubBits
  const int shift = msb - kSubBits;
  const std::uint64_t sub = (v >> shift) - kSub;  // 0..kSub-1
  return static_cast<std::size_t>((static_cast<std::uint64_t>(shift + 1) << kSubBits) + sub);
}

std::uint64_t LatencyHistogram::upper_of(std::size_t index) {
  constexpr std::uint64_t kSub = 1ULL << kSubBits;
  if (index < kSub) return index;
  const std::uint64_t shift = (index >> kSubBits) - 1;
  const std::uint64_t sub = index & (kSub - 1);
  return ((kSub + sub + 1) << shift) - 1;
}

void LatencyHistogram::record(std::uint64_t ns) {
  ++buckets_[index_of(ns)];
  ++count_;
  max_ = std::max(max_, ns);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

std::uint64_t LatencyHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_));
  if (rank >= count_) rank = count_ - 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen > rank) return std::min(upper_of(i), max_);
  }
  return max_;
}

std::string format_duration_ns(std::uint64_t ns) {
  char buf[32];
  if (ns < 10'000) {
    std::snprintf(buf, sizeof buf, "%.1f µs", static_cast<double>(ns) / 1e3);
  } else if (ns < 10'000'000) {
    std::snprintf(buf, sizeof buf, "%.0f µs", static_cast<double>(ns) / 1e3);
  } else if (ns < 10'000'000'000ULL) {
    std::snprintf(buf, sizeof buf, "%.1f ms", static_cast<double>(ns) / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ns) / 1e9);
  }
  return buf;
}

}  // namespace mmssec::tool
