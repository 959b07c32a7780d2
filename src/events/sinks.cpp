// SPDX-License-Identifier: Apache-2.0
// Event sinks. None of them throws out of emit(): a sink that cannot deliver an event drops it
// (SyslogSink counts the drops), because a failing log must not take down the connection that
// raised the event.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstring>
#include <string>

#include "mmssec/events/event.hpp"

namespace mmssec::events {

// ---- StreamSink

StreamSink::StreamSink(std::FILE* out, Format f) : out_(out), format_(f) {}

void StreamSink::emit(const Event& e) {
  if (out_ == nullptr) return;
  try {
    std::string line = format(e, format_);
    line += '\n';
    const std::lock_guard lock(mu_);
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
  } catch (...) {  // allocation failure: drop the event
  }
}

// ---- SyslogSink

struct SyslogSink::Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

namespace {

/// A numeric IPv4 or IPv6 literal ("::1" or "[::1]") and a port; nothing is resolved.
bool ip_address(std::string_view host, std::uint16_t port, sockaddr_storage& out, socklen_t& length) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string h(host);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
  if (inet_pton(AF_INET, h.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof(sockaddr_in);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (inet_pton(AF_INET6, h.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

}  // namespace

Result<SyslogSink::Target> SyslogSink::parse_target(std::string_view s) {
  Target t;
  if (!s.empty() && s.front() == '/') {
    t.unix_path = std::string(s);
    return t;
  }
  const std::size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) return Errc::invalid_target;
  const std::string_view host = s.substr(0, colon);
  const std::string_view port = s.substr(colon + 1);
  // A bare IPv6 literal needs brackets, otherwise its last group would read as the port.
  if (host.find(':') != std::string_view::npos && host.front() != '[') return Errc::invalid_target;
  std::uint16_t p = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc{} || end != port.data() + port.size() || p == 0) return Errc::invalid_target;
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (!ip_address(host, p, ss, len)) return Errc::invalid_target;
  t.udp_host = std::string(host);
  t.udp_port = p;
  return t;
}

Result<std::unique_ptr<SyslogSink>> SyslogSink::open(const Target& target, SyslogOptions opts) {
  auto addr = std::make_unique<Address>();
  if (!target.udp_host.empty()) {
    if (!target.unix_path.empty() || target.udp_port == 0) return Errc::invalid_target;
    if (!ip_address(target.udp_host, target.udp_port, addr->storage, addr->length))
      return Errc::invalid_target;
  } else {
    const std::string path = target.unix_path.empty() ? std::string("/dev/log") : target.unix_path;
    auto* un = reinterpret_cast<sockaddr_un*>(&addr->storage);
    if (path.size() >= sizeof un->sun_path || path.find('\0') != std::string::npos)
      return Errc::invalid_target;
    un->sun_family = AF_UNIX;
    std::memcpy(un->sun_path, path.data(), path.size());
    addr->length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  }
  const int fd = ::socket(addr->storage.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errc::socket_failed;
  return std::unique_ptr<SyslogSink>(new SyslogSink(fd, std::move(addr), std::move(opts)));
}

SyslogSink::SyslogSink(int fd, std::unique_ptr<Address> addr, SyslogOptions opts)
    : fd_(fd), addr_(std::move(addr)), opts_(std::move(opts)) {}

SyslogSink::~SyslogSink() { ::close(fd_); }

void SyslogSink::emit(const Event& e) {
  try {
    const std::string msg = format_syslog(e, opts_);
    // Unconnected: the destination is named on each send, so a receiver that appears later is
    // reached and one that vanished costs only this datagram.
    const ssize_t n = ::sendto(fd_, msg.data(), msg.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                               reinterpret_cast<const sockaddr*>(&addr_->storage), addr_->length);
    if (n == static_cast<ssize_t>(msg.size())) {
      sent_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  } catch (...) {  // allocation failure: counted as dropped below
  }
  dropped_.fetch_add(1, std::memory_order_relaxed);
}

// ---- FanoutSink

FanoutSink::FanoutSink(std::vector<std::shared_ptr<Sink>> sinks, Severity min)
    : sinks_(std::move(sinks)), min_(min) {}

void FanoutSink::emit(const Event& e) {
  if (e.severity < min_) return;
  for (const auto& s : sinks_) {
    if (!s) continue;
    try {
      s->emit(e);
    } catch (...) {  // a misbehaving sink must not starve the others
    }
  }
}

// ---- MemorySink

void MemorySink::emit(const Event& e) {
  try {
    {
      const std::lock_guard lock(mu_);
      events_.push_back(e);
    }
    cv_.notify_all();
  } catch (...) {  // allocation failure: drop the event
  }
}

std::vector<Event> MemorySink::events() const {
  const std::lock_guard lock(mu_);
  return events_;
}

std::size_t MemorySink::count(Id id) const {
  const std::lock_guard lock(mu_);
  return static_cast<std::size_t>(
      std::count_if(events_.begin(), events_.end(), [id](const Event& e) { return e.id == id; }));
}

bool MemorySink::wait_for(Id id, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] {
    return std::any_of(events_.begin(), events_.end(), [id](const Event& e) { return e.id == id; });
  });
}

void MemorySink::clear() {
  const std::lock_guard lock(mu_);
  events_.clear();
}

}  // namespace mmssec::events
